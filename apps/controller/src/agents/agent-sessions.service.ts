import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import type { AgentMessage__Output, ControllerMessage } from '@imagelib/proto';
import { HostsRepository } from '@imagelib/store';
import type { StreamInfo } from '../cluster/cluster-messages.js';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { ControllerEvents } from '../events/controller-events.js';

export type AgentCall = ServerDuplexStream<AgentMessage__Output, ControllerMessage>;

interface AgentSession {
  hostId: string;
  call: AgentCall;
  peer: string;
  connectedAt: Date;
  lastHeartbeatAt: Date;
  ttl: NodeJS.Timeout;
  /** The catalog revision sent to the host, and the one it says it applied. */
  catalogSent: number;
  catalogAcked: number;
}

export interface Liveness {
  connected: boolean;
  /** null when the host never reported; from memory while connected, from the store after. */
  lastHeartbeatAt: Date | null;
  peer: string | null;
}

/**
 * The live agent streams, and liveness: a host is connected while its stream is open and it was
 * heard from within the TTL (a little under 3 heartbeat intervals). A broken stream disconnects
 * at once; a silent one when its TTL timer fires. Nothing is written per heartbeat.
 */
@Injectable()
export class AgentSessions implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AgentSessions.name);
  private readonly sessions = new Map<string, AgentSession>();
  private readonly pendingWrites = new Set<Promise<void>>();
  private readonly disconnectListeners = new Set<(hostId: string) => void>();
  private readonly connectListeners = new Set<(hostId: string) => void>();
  private readonly ackListeners = new Set<(hostId: string, revision: number) => void>();
  readonly ttlMs: number;

  constructor(
    private readonly hosts: HostsRepository,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    private readonly events: ControllerEvents,
  ) {
    this.ttlMs = Math.floor(config.heartbeatIntervalMs * 2.5);
  }

  get heartbeatIntervalMs(): number {
    return this.config.heartbeatIntervalMs;
  }

  get connectedCount(): number {
    return this.sessions.size;
  }

  /** Registers the stream of an authenticated host; a host has at most one. */
  open(hostId: string, call: AgentCall): void {
    const existing = this.sessions.get(hostId);
    if (existing) {
      throw new DomainError(ErrorCode.Forbidden, `host ${hostId} is already connected from ${existing.peer}`);
    }
    const now = new Date();
    const session: AgentSession = {
      hostId,
      call,
      peer: call.getPeer(),
      connectedAt: now,
      lastHeartbeatAt: now,
      ttl: setTimeout(() => this.expire(session), this.ttlMs),
      catalogSent: 0,
      catalogAcked: 0,
    };
    this.sessions.set(hostId, session);
    this.logger.log(`host ${hostId} connected from ${session.peer}`);
    this.events.publish('host-connected');
    for (const listener of this.connectListeners) listener(hostId);
  }

  /** Called for every message from the agent. */
  touch(hostId: string, call: AgentCall): void {
    const session = this.sessions.get(hostId);
    if (!session || session.call !== call) return;
    session.lastHeartbeatAt = new Date();
    session.ttl.refresh();
  }

  /** The stream ended (or broke): the host is disconnected from now. */
  closed(hostId: string, call: AgentCall, why: string): void {
    const session = this.sessions.get(hostId);
    if (!session || session.call !== call) return;
    this.forget(session, why);
  }

  /** Ends the host's stream with the given status (e.g. after its credential was revoked). */
  disconnect(hostId: string, code: status, details: string): void {
    const session = this.sessions.get(hostId);
    if (!session) return;
    this.forget(session, details);
    endWithStatus(session.call, code, details);
  }

  send(hostId: string, message: ControllerMessage): boolean {
    const session = this.sessions.get(hostId);
    if (!session) return false;
    session.call.write(message);
    return true;
  }

  /** Calls the listener with the id of every host that disconnects. */
  onDisconnect(listener: (hostId: string) => void): void {
    this.disconnectListeners.add(listener);
  }

  /** Calls the listener with the id of every host whose stream opens. */
  onConnect(listener: (hostId: string) => void): void {
    this.connectListeners.add(listener);
  }

  /** Calls the listener each time a host says it applied a newer catalog revision. */
  onCatalogAck(listener: (hostId: string, revision: number) => void): void {
    this.ackListeners.add(listener);
  }

  connectedHostIds(): string[] {
    return [...this.sessions.keys()];
  }

  isConnected(hostId: string): boolean {
    return this.sessions.has(hostId);
  }

  /** What catalog revision the host was sent and applied; null when it is not connected. */
  catalogProgress(hostId: string): { sent: number; acked: number } | null {
    const session = this.sessions.get(hostId);
    return session ? { sent: session.catalogSent, acked: session.catalogAcked } : null;
  }

  recordCatalogSent(hostId: string, revision: number): void {
    const session = this.sessions.get(hostId);
    if (session) session.catalogSent = Math.max(session.catalogSent, revision);
  }

  recordCatalogAck(hostId: string, revision: number): void {
    const session = this.sessions.get(hostId);
    if (!session || revision <= session.catalogAcked) return;
    session.catalogAcked = revision;
    for (const listener of this.ackListeners) listener(hostId, revision);
  }

  /** The open stream of a host, as the other controllers learn of it; null when it has none here. */
  stream(hostId: string): StreamInfo | null {
    const session = this.sessions.get(hostId);
    return session ? { hostId, peer: session.peer, connectedAt: session.connectedAt.getTime(), catalogAcked: session.catalogAcked } : null;
  }

  liveness(hostId: string, stored: Date | null): Liveness {
    const session = this.sessions.get(hostId);
    if (!session) return { connected: false, lastHeartbeatAt: stored, peer: null };
    return { connected: true, lastHeartbeatAt: session.lastHeartbeatAt, peer: session.peer };
  }

  /** Ends every stream and records their last heartbeats before the store closes. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const session of [...this.sessions.values()]) {
      this.forget(session, 'controller shutting down');
      endWithStatus(session.call, status.UNAVAILABLE, 'controller shutting down');
    }
    await Promise.all(this.pendingWrites);
  }

  private expire(session: AgentSession): void {
    const silentFor = Date.now() - session.lastHeartbeatAt.getTime();
    const why = `no heartbeat for ${silentFor} ms`;
    this.forget(session, why);
    endWithStatus(session.call, status.UNAVAILABLE, why);
  }

  private forget(session: AgentSession, why: string): void {
    clearTimeout(session.ttl);
    this.sessions.delete(session.hostId);
    this.logger.log(`host ${session.hostId} disconnected: ${why}`);
    this.events.publish('host-disconnected');
    const write = this.hosts.recordLastHeartbeat(session.hostId, session.lastHeartbeatAt).catch((error: unknown) => {
      this.logger.warn(`could not record the last heartbeat of host ${session.hostId}: ${String(error)}`);
    });
    this.pendingWrites.add(write);
    void write.finally(() => this.pendingWrites.delete(write));
    for (const listener of this.disconnectListeners) listener(session.hostId);
  }
}

/** Ends a server stream with a status, unless it has ended already. */
export function endWithStatus(call: Pick<AgentCall, 'destroyed' | 'cancelled' | 'emit'>, code: status, details: string): void {
  if (call.destroyed || call.cancelled) return;
  call.emit('error', { code, details });
}
