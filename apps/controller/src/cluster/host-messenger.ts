import { Injectable, Logger } from '@nestjs/common';
import type { status } from '@grpc/grpc-js';
import type { ControllerMessage } from '@imagelib/proto';
import { HostsRepository } from '@imagelib/store';
import { AgentSessions } from '../agents/agent-sessions.service.js';
import { desiredRoles } from '../agents/role-codec.js';
import { ClusterBus } from './cluster-bus.js';
import { FleetPresence } from './fleet-presence.js';

/**
 * Reaches a host wherever its stream is: written here when this controller holds it, handed over
 * the cluster bus to the controller that does otherwise. Commands are idempotent on the host, so
 * one that is lost on the way (its controller died meanwhile) is simply sent again by the sweep
 * that wanted it.
 */
@Injectable()
export class HostMessenger {
  private readonly logger = new Logger(HostMessenger.name);

  constructor(
    private readonly sessions: AgentSessions,
    private readonly presence: FleetPresence,
    private readonly bus: ClusterBus,
    private readonly hosts: HostsRepository,
  ) {
    bus.on('to-host', (message) => sessions.send(message.hostId, message.message));
    bus.on('desired-state', (message) => {
      if (!sessions.isConnected(message.hostId)) return;
      this.pushDesiredState(message.hostId).catch((error: unknown) => this.logger.warn(`could not send host ${message.hostId} its desired state: ${String(error)}`));
    });
    bus.on('disconnect', (message) => sessions.disconnect(message.hostId, message.code, message.details));
  }

  /** Sends the message to the host; false when it is connected to no controller. */
  send(hostId: string, message: ControllerMessage): boolean {
    if (this.sessions.send(hostId, message)) return true;
    if (!this.presence.isConnected(hostId)) return false;
    this.bus.publish({ kind: 'to-host', hostId, message });
    return true;
  }

  /** Sends the host its complete desired state (read from the store by the controller that holds its stream). */
  async pushDesiredState(hostId: string): Promise<void> {
    if (!this.presence.isLocal(hostId)) {
      this.bus.publish({ kind: 'desired-state', hostId });
      return;
    }
    const host = await this.hosts.findById(hostId);
    if (host) this.sessions.send(hostId, { desiredState: { roles: desiredRoles(host.roles) } });
  }

  /** Ends the host's stream, wherever it is. */
  disconnect(hostId: string, code: status, details: string): void {
    this.sessions.disconnect(hostId, code, details);
    this.bus.publish({ kind: 'disconnect', hostId, code, details });
  }
}
