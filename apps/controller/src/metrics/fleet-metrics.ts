import { Inject, Injectable } from '@nestjs/common';
import { HostsRepository } from '@imagelib/store';
import { Gauge } from 'prom-client';
import { FleetPresence } from '../cluster/fleet-presence.js';
import { WorkLease } from '../cluster/work-lease.js';
import { ReplicationPlanner } from '../catalog/replication-planner.service.js';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { EventStreams } from '../events/event-streams.service.js';
import { HOST_IMAGE_STATUSES } from '../images/dto/image.dto.js';
import { ImagesService } from '../images/images.service.js';
import { MetricsRegistry } from './metrics-registry.js';

/**
 * The state of the fleet as gauges, read from the store and the live sessions when Prometheus
 * scrapes. Labels are bounded by the number of hosts and the fixed sets of statuses.
 */
@Injectable()
export class FleetMetrics {
  private readonly hostsKnown: Gauge;
  private readonly hostsConnected: Gauge;
  private readonly hostConnected: Gauge<'host_id' | 'hostname'>;
  private readonly heartbeatLag: Gauge<'host_id' | 'hostname'>;
  private readonly roles: Gauge<'role' | 'state'>;
  private readonly images: Gauge<'status'>;
  private readonly imageHostStatuses: Gauge<'host_id' | 'hostname' | 'status'>;
  private readonly replicationBacklog: Gauge;
  private readonly eventStreams: Gauge;
  private readonly agentStreams: Gauge;
  private readonly leaseHeld: Gauge;

  constructor(
    metrics: MetricsRegistry,
    private readonly hosts: HostsRepository,
    private readonly presence: FleetPresence,
    private readonly imagesService: ImagesService,
    private readonly planner: ReplicationPlanner,
    private readonly streams: EventStreams,
    private readonly lease: WorkLease,
    @Inject(CONTROLLER_CONFIG) config: ControllerConfig,
  ) {
    const registers = [metrics.registry];
    this.hostsKnown = new Gauge({ name: 'imagelib_hosts', help: 'Hosts enrolled with this controller', registers });
    this.hostsConnected = new Gauge({ name: 'imagelib_hosts_connected', help: 'Hosts whose agent holds its stream open and heartbeats on time, on any controller', registers });
    this.agentStreams = new Gauge({ name: 'imagelib_agent_streams', help: 'Agent streams open on this controller', registers });
    this.leaseHeld = new Gauge({ name: 'imagelib_work_lease_held', help: '1 while this controller holds the work lease (file deletion, replication planning), else 0', registers });
    this.hostConnected = new Gauge({ name: 'imagelib_host_connected', help: '1 while the host is connected, else 0', labelNames: ['host_id', 'hostname'], registers });
    this.heartbeatLag = new Gauge({
      name: 'imagelib_host_heartbeat_lag_seconds',
      help: 'Seconds since the last message from each connected host (it heartbeats every interval; at 2.5 intervals it is disconnected)',
      labelNames: ['host_id', 'hostname'],
      registers,
    });
    new Gauge({ name: 'imagelib_heartbeat_interval_seconds', help: 'How often agents are told to heartbeat', registers }).set(config.heartbeatIntervalMs / 1000);
    this.roles = new Gauge({ name: 'imagelib_roles', help: 'Role assignments by role and state', labelNames: ['role', 'state'], registers });
    this.images = new Gauge({ name: 'imagelib_images', help: 'Images in the catalog by Glance status (deleted: files still being removed)', labelNames: ['status'], registers });
    this.imageHostStatuses = new Gauge({
      name: 'imagelib_image_host_statuses',
      help: 'Images by their status on each image-library host (ok, missing, no-access, cannot-delete, corrupt, offline)',
      labelNames: ['host_id', 'hostname', 'status'],
      registers,
    });
    this.replicationBacklog = new Gauge({ name: 'imagelib_replication_backlog', help: 'Image copies the replication planner still wants made (under way or waiting)', registers });
    this.eventStreams = new Gauge({ name: 'imagelib_event_streams', help: 'Open dashboard event streams', registers });
  }

  async refresh(): Promise<void> {
    const [hosts, counts] = await Promise.all([this.hosts.list(), this.imagesService.counts()]);
    const now = Date.now();
    for (const gauge of [this.hostConnected, this.heartbeatLag, this.roles, this.images, this.imageHostStatuses]) gauge.reset();
    this.hostsKnown.set(hosts.length);
    this.hostsConnected.set(this.presence.connectedCount);
    this.agentStreams.set(this.presence.localCount);
    this.leaseHeld.set(this.lease.held ? 1 : 0);
    for (const host of hosts) {
      const labels = { host_id: host.id, hostname: host.hostname };
      const liveness = this.presence.liveness(host.id, host.lastHeartbeatAt);
      this.hostConnected.set(labels, liveness.connected ? 1 : 0);
      if (liveness.connected && liveness.lastHeartbeatAt) this.heartbeatLag.set(labels, (now - liveness.lastHeartbeatAt.getTime()) / 1000);
      for (const role of host.roles) this.roles.inc({ role: role.role, state: role.state });
    }
    for (const [status, count] of counts.imagesByStatus) this.images.set({ status }, count);
    for (const { host, counts: byStatus } of counts.byHost) {
      for (const status of HOST_IMAGE_STATUSES) this.imageHostStatuses.set({ host_id: host.id, hostname: host.hostname, status }, byStatus.get(status) ?? 0);
    }
    this.replicationBacklog.set(this.planner.backlog);
    this.eventStreams.set(this.streams.openCount);
  }
}
