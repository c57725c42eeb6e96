import { type ClientDuplexStream, type ServiceError, status as grpcStatus } from '@grpc/grpc-js';
import type { AgentGatewayClient, AgentMessage, CatalogUpdate__Output, ControllerMessage__Output, FileToDelete__Output, HostFacts, Replication__Output, RoleAssignment__Output, RoleStatus } from '@imagelib/proto';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import { Backoff } from './backoff.js';

const FACTS_REFRESH_MS = 60_000;
/**
 * A hello waits this long at most for fresh host facts, then goes with the last ones collected:
 * collecting runs commands (df, …) that can hang on a loaded or broken host, and a reconnection
 * must never wait for them. The facts follow once collected.
 */
export const HELLO_FACTS_WAIT_MS = 3000;
/**
 * A stream not welcomed within this long is given up and another attempt made (to the next
 * controller of the list): a controller that took the stream but never answers must not hold the
 * agent forever. Long enough for a controller welcoming a whole fleet that moved to it at once.
 */
export const WELCOME_WAIT_MS = 10_000;
/** Without a word from the controller for this many heartbeat intervals, the agent reconnects. */
const SILENT_CONTROLLER_INTERVALS = 3;

/** What the agent does with what the controller says, and what it says in its hello. */
export interface ControllerLinkHandlers {
  hello: () => { roles: RoleStatus[]; catalogRevision: number };
  /** The stream is up and the controller welcomed this host. */
  connected: (welcome: { hostId: string; imageTokenPublicKeyPem: string }) => void;
  desiredState: (roles: RoleAssignment__Output[]) => void;
  catalog: (update: CatalogUpdate__Output) => void;
  deleteFiles: (files: FileToDelete__Output[]) => void;
  replicate: (copies: Replication__Output[]) => void;
  /** The controller refused the host's credential: it was revoked or the host removed. */
  revoked: (reason: string) => void;
}

export interface ControllerLinkOptions {
  agentVersion: string;
  collectFacts: () => Promise<HostFacts>;
}

type Stream = ClientDuplexStream<AgentMessage, ControllerMessage__Output>;

/**
 * The agent's one stream to the controller: hello, heartbeats on the interval the controller sets,
 * facts and role states up; desired state down. Reconnects forever with jittered backoff.
 */
export class ControllerLink {
  private readonly backoff = new Backoff();
  private stream: Stream | null = null;
  private stopped = false;
  private seq = 0;
  private timers: NodeJS.Timeout[] = [];
  private reconnectTimer: NodeJS.Timeout | null = null;
  private lastFacts: HostFacts = {};

  constructor(
    private readonly client: AgentGatewayClient,
    private readonly options: ControllerLinkOptions,
    private readonly handlers: ControllerLinkHandlers,
    private readonly log: Logger,
  ) {}

  get connected(): boolean {
    return this.stream !== null;
  }

  start(): void {
    void this.connect();
  }

  /** Sends now if connected; false otherwise (the next hello or full report carries the state). */
  send(message: AgentMessage): boolean {
    if (!this.stream) return false;
    this.stream.write(message);
    return true;
  }

  /** Collects the host facts and sends them if still connected. */
  sendFacts(): void {
    const stream = this.stream;
    if (!stream) return;
    this.options.collectFacts().then(
      (facts) => {
        this.lastFacts = facts;
        if (this.stream === stream) stream.write({ facts });
      },
      (error: unknown) => this.log.warn({ err: error }, 'could not collect host facts'),
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.closeStream();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const facts = await this.factsForHello();
    if (this.stopped) return;
    const stream = this.client.Connect();
    this.stream = stream;
    let lastHeard = performance.now();
    const unwelcomed = setTimeout(() => {
      this.log.warn({ waitedMs: WELCOME_WAIT_MS }, 'the controller took the stream but did not welcome this host; trying again');
      this.lost(stream, null);
    }, WELCOME_WAIT_MS);
    this.timers.push(unwelcomed);
    stream.on('data', (message: ControllerMessage__Output) => {
      lastHeard = performance.now();
      if (message.welcome) {
        clearTimeout(unwelcomed);
        this.backoff.reset();
        this.log.info({ hostId: message.welcome.hostId, heartbeatIntervalMs: message.welcome.heartbeatIntervalMs }, 'connected to the controller');
        this.startBeating(stream, message.welcome.heartbeatIntervalMs, () => lastHeard);
        this.handlers.connected(message.welcome);
      } else if (message.desiredState) {
        this.handlers.desiredState(message.desiredState.roles);
      } else if (message.catalog) {
        this.handlers.catalog(message.catalog);
      } else if (message.deleteFiles) {
        this.handlers.deleteFiles(message.deleteFiles.files);
      } else if (message.replicate) {
        this.handlers.replicate(message.replicate.copies);
      }
    });
    stream.on('error', (error: ServiceError) => this.lost(stream, error));
    stream.on('end', () => this.lost(stream, null));
    stream.write({ hello: { agentVersion: this.options.agentVersion, facts, ...this.handlers.hello() } });
  }

  /** Fresh facts if they come within HELLO_FACTS_WAIT_MS, else the last ones (sent again once collected). */
  private async factsForHello(): Promise<HostFacts> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), HELLO_FACTS_WAIT_MS)));
    const collecting = this.options.collectFacts().then(
      (facts) => {
        this.lastFacts = facts;
        return facts;
      },
      (error: unknown) => {
        this.log.warn({ err: error }, 'could not collect host facts');
        return this.lastFacts;
      },
    );
    const facts = await Promise.race([collecting, late]).finally(() => clearTimeout(timer));
    if (facts) return facts;
    this.log.warn({ waitedMs: HELLO_FACTS_WAIT_MS }, 'host facts are slow to collect; saying hello with the last ones');
    void collecting.then((fresh) => this.stream?.write({ facts: fresh }));
    return this.lastFacts;
  }

  private startBeating(stream: Stream, intervalMs: number, lastHeard: () => number): void {
    this.clearTimers();
    const beat = () => {
      if (performance.now() - lastHeard() > intervalMs * SILENT_CONTROLLER_INTERVALS) {
        this.log.warn({ silentMs: Math.round(performance.now() - lastHeard()) }, 'the controller stopped answering; reconnecting');
        this.lost(stream, null);
        return;
      }
      stream.write({ heartbeat: { seq: ++this.seq, sentAtMs: Date.now() } });
    };
    beat();
    this.timers.push(setInterval(beat, intervalMs));
    this.timers.push(setInterval(() => this.sendFacts(), FACTS_REFRESH_MS));
  }

  private lost(stream: Stream, error: ServiceError | null): void {
    if (this.stream !== stream) return;
    this.closeStream();
    if (this.stopped) return;
    if (error?.code === grpcStatus.UNAUTHENTICATED) {
      this.handlers.revoked(error.details);
      return;
    }
    const delay = this.backoff.next();
    this.log.warn({ code: error?.code, details: error?.details ?? 'stream ended', retryInMs: delay }, 'lost the controller');
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  private closeStream(): void {
    this.clearTimers();
    const stream = this.stream;
    this.stream = null;
    stream?.cancel();
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }
}
