import { status } from '@grpc/grpc-js';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AgentSessions, type Liveness } from '../agents/agent-sessions.service.js';
import { ControllerEvents } from '../events/controller-events.js';
import { ClusterBus } from './cluster-bus.js';
import type { StreamInfo } from './cluster-messages.js';

/** Each controller says it lives this often. */
export const BEAT_INTERVAL_MS = 1000;
/** A controller not heard for this long is dead: its streams count no more. */
export const CONTROLLER_SILENCE_MS = 3000;
/** Streams per message (each is about 120 bytes; a notification holds < 8,000). */
const STREAMS_PER_MESSAGE = 50;
/** Beats in a row whose number of streams differs from what this controller knows before it asks for the list again. */
const MISMATCHED_BEATS_BEFORE_RESYNC = 2;

interface RemoteController {
  lastBeatAt: number;
  mismatchedBeats: number;
}

interface RemoteStream extends StreamInfo {
  controllerId: string;
}

/**
 * Which hosts are connected anywhere in the cluster: this controller's own agent streams
 * (AgentSessions) and, with several controllers on PostgreSQL, those the others hold, as they
 * announce them on the cluster bus. Every controller answers the same for the REST API, the
 * endpoint list, the image statuses and the once-only work. A controller that stops beating for
 * CONTROLLER_SILENCE_MS is dead, and its hosts are disconnected unless they are connected
 * elsewhere by then (agents move to another controller at once when theirs dies).
 */
@Injectable()
export class FleetPresence implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FleetPresence.name);
  private readonly controllers = new Map<string, RemoteController>();
  private readonly remote = new Map<string, RemoteStream>();
  private readonly disconnectListeners = new Set<(hostId: string) => void>();
  private readonly connectListeners = new Set<(hostId: string) => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sessions: AgentSessions,
    private readonly bus: ClusterBus,
    private readonly events: ControllerEvents,
  ) {
    sessions.onDisconnect((hostId) => {
      this.bus.publish({ kind: 'streams', reset: false, opened: [], closed: [hostId] });
      if (!this.remote.has(hostId)) this.disconnected(hostId);
    });
    sessions.onConnect((hostId) => {
      const stream = sessions.stream(hostId);
      if (stream) this.bus.publish({ kind: 'streams', reset: false, opened: [stream], closed: [] });
      this.connected(hostId);
    });
    sessions.onCatalogAck((hostId, revision) => this.bus.publish({ kind: 'acks', acks: [[hostId, revision]] }));
    bus.on('hello', () => this.announceAll());
    bus.onJoined(() => this.announceAll());
    bus.on('resync', (message) => {
      if (message.of === bus.controllerId) this.announceAll();
    });
    bus.on('beat', (message, from) => this.beatFrom(from, message.streams));
    bus.on('streams', (message, from) => this.streamsFrom(from, message.reset, message.opened, message.closed));
    bus.on('acks', (message, from) => {
      for (const [hostId, revision] of message.acks) {
        const stream = this.remote.get(hostId);
        if (stream?.controllerId === from) stream.catalogAcked = Math.max(stream.catalogAcked, revision);
      }
    });
  }

  onApplicationBootstrap(): void {
    if (!this.bus.enabled) return;
    this.timer = setInterval(() => this.tick(), BEAT_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get heartbeatIntervalMs(): number {
    return this.sessions.heartbeatIntervalMs;
  }

  /** Hosts connected to any live controller. */
  get connectedCount(): number {
    return new Set([...this.sessions.connectedHostIds(), ...this.remote.keys()]).size;
  }

  /** Whether this is the only controller there can be (sqlite). */
  get soleController(): boolean {
    return !this.bus.enabled;
  }

  /** Other controllers alive now, as far as their beats say. */
  get otherControllers(): number {
    return this.controllers.size;
  }

  /** Agent streams open on this controller. */
  get localCount(): number {
    return this.sessions.connectedCount;
  }

  isConnected(hostId: string): boolean {
    return this.sessions.isConnected(hostId) || this.remote.has(hostId);
  }

  /** Whether the host's stream is on this controller (commands to it are written here). */
  isLocal(hostId: string): boolean {
    return this.sessions.isConnected(hostId);
  }

  /** For a host connected elsewhere, the last heartbeat is vouched for by its controller's last beat (its TTL would have ended the stream). */
  liveness(hostId: string, stored: Date | null): Liveness {
    const stream = this.remote.get(hostId);
    if (this.sessions.isConnected(hostId) || !stream) return this.sessions.liveness(hostId, stored);
    return { connected: true, lastHeartbeatAt: new Date(this.controllers.get(stream.controllerId)?.lastBeatAt ?? stream.connectedAt), peer: stream.peer };
  }

  /** The catalog revision the host applied (0 when it has not said); null when it is not connected. */
  catalogAcked(hostId: string): number | null {
    return this.sessions.catalogProgress(hostId)?.acked ?? this.remote.get(hostId)?.catalogAcked ?? null;
  }

  /**
   * Calls the listener with the id of every host that opens a stream, here or on another controller:
   * commands sent to it before may have been lost with the stream (or controller) it had.
   */
  onConnect(listener: (hostId: string) => void): void {
    this.connectListeners.add(listener);
  }

  /** Calls the listener with the id of every host no longer connected to any controller. */
  onDisconnect(listener: (hostId: string) => void): void {
    this.disconnectListeners.add(listener);
  }

  private tick(): void {
    this.bus.publish({ kind: 'beat', streams: this.sessions.connectedCount });
    const now = Date.now();
    for (const [controllerId, controller] of this.controllers) {
      if (now - controller.lastBeatAt < CONTROLLER_SILENCE_MS) continue;
      this.controllers.delete(controllerId);
      const lost = this.forgetStreamsOf(controllerId);
      this.disconnectedUnlessElsewhere(lost);
      // Each controller sees the silence itself: nothing to tell the others.
      if (lost.length > 0) this.events.publishedElsewhere(['host-disconnected']);
      this.logger.warn(`controller ${controllerId} silent for ${now - controller.lastBeatAt} ms: its ${lost.length} agent streams no longer count`);
    }
  }

  private beatFrom(controllerId: string, streams: number): void {
    const controller = this.controllers.get(controllerId) ?? { lastBeatAt: 0, mismatchedBeats: 0 };
    if (!this.controllers.has(controllerId)) this.logger.log(`controller ${controllerId} is alive`);
    controller.lastBeatAt = Date.now();
    const known = [...this.remote.values()].filter((stream) => stream.controllerId === controllerId).length;
    controller.mismatchedBeats = known === streams ? 0 : controller.mismatchedBeats + 1;
    if (controller.mismatchedBeats >= MISMATCHED_BEATS_BEFORE_RESYNC) {
      controller.mismatchedBeats = 0;
      this.bus.publish({ kind: 'resync', of: controllerId });
    }
    this.controllers.set(controllerId, controller);
  }

  private streamsFrom(controllerId: string, reset: boolean, opened: StreamInfo[], closed: string[]): void {
    const gone = reset ? this.forgetStreamsOf(controllerId) : [];
    const controller = this.controllers.get(controllerId);
    if (controller) controller.lastBeatAt = Date.now();
    else this.controllers.set(controllerId, { lastBeatAt: Date.now(), mismatchedBeats: 0 });
    for (const stream of opened) {
      const known = this.remote.get(stream.hostId);
      this.remote.set(stream.hostId, { ...stream, controllerId });
      if (!reset && (known?.controllerId !== controllerId || known.connectedAt !== stream.connectedAt)) this.connected(stream.hostId);
      // The host moved: the stream it left here is a stale one (its controller learns it last).
      const local = this.sessions.stream(stream.hostId);
      if (local && local.connectedAt < stream.connectedAt) this.sessions.disconnect(stream.hostId, status.UNAVAILABLE, `the host connected to controller ${controllerId}`);
    }
    for (const hostId of closed) {
      if (this.remote.get(hostId)?.controllerId !== controllerId) continue;
      this.remote.delete(hostId);
      gone.push(hostId);
    }
    this.disconnectedUnlessElsewhere(gone);
  }

  /** Forgets the streams a controller held; returns their hosts. */
  private forgetStreamsOf(controllerId: string): string[] {
    const forgotten: string[] = [];
    for (const [hostId, stream] of this.remote) {
      if (stream.controllerId !== controllerId) continue;
      this.remote.delete(hostId);
      forgotten.push(hostId);
    }
    return forgotten;
  }

  /** Of hosts whose stream went, those connected nowhere now are disconnected. */
  private disconnectedUnlessElsewhere(hostIds: string[]): void {
    for (const hostId of hostIds) if (!this.isConnected(hostId)) this.disconnected(hostId);
  }

  private connected(hostId: string): void {
    for (const listener of this.connectListeners) listener(hostId);
  }

  private disconnected(hostId: string): void {
    for (const listener of this.disconnectListeners) listener(hostId);
  }

  /** This controller's whole list of streams, from scratch, in parts that fit a notification. */
  private announceAll(): void {
    const streams = this.sessions.connectedHostIds().flatMap((hostId) => this.sessions.stream(hostId) ?? []);
    for (let at = 0; at === 0 || at < streams.length; at += STREAMS_PER_MESSAGE) {
      this.bus.publish({ kind: 'streams', reset: at === 0, opened: streams.slice(at, at + STREAMS_PER_MESSAGE), closed: [] });
    }
  }
}
