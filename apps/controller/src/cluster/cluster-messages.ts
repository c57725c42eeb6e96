import type { ControllerMessage, FileDeletionResult__Output, ReplicationResult__Output } from '@imagelib/proto';
import type { ChangeKind } from '../events/controller-events.js';

/** An agent stream open on a controller, as the other controllers learn of it. */
export interface StreamInfo {
  hostId: string;
  peer: string;
  /** ms since the epoch. */
  connectedAt: number;
  /** The catalog revision the host said it applied. */
  catalogAcked: number;
}

/** The once-only work whose sweep a message from elsewhere may need to run again. */
export type OnceOnlyWork = 'file-deletion' | 'replication';

/** What a host reports back of a command of the once-only work. */
export type WorkResult = FileDeletionResult__Output | ReplicationResult__Output;

/**
 * What controllers sharing one PostgreSQL tell each other (LISTEN/NOTIFY). None of it is stored:
 * it is about processes and streams that live now; a controller that (re)joins asks for it again.
 */
export type ClusterMessage =
  /** Every second: this controller lives and holds this many agent streams. */
  | { kind: 'beat'; streams: number }
  /** A controller joined the channel (or came back to it): the others send it their streams. */
  | { kind: 'hello' }
  /** Ask the named controller for its whole list of streams again (a beat said another number). */
  | { kind: 'resync'; of: string }
  /** Streams opened and closed on the sender; `reset` starts its whole list anew (parts follow without it). */
  | { kind: 'streams'; reset: boolean; opened: StreamInfo[]; closed: string[] }
  /** Catalog revisions hosts on the sender applied. */
  | { kind: 'acks'; acks: Array<[hostId: string, revision: number]> }
  /** The sender changed these parts of the operators' view (the dashboard's live updates). */
  | { kind: 'changes'; changes: ChangeKind[] }
  /** The catalog changed: each controller streams the changes to its own agents. */
  | { kind: 'catalog' }
  /** For the controller holding the host's stream: send it this. */
  | { kind: 'to-host'; hostId: string; message: ControllerMessage }
  /** For the controller holding the host's stream: send it its desired state from the store. */
  | { kind: 'desired-state'; hostId: string }
  /** For the controller holding the host's stream: end it (the host was removed, its credential revoked). */
  | { kind: 'disconnect'; hostId: string; code: number; details: string }
  /** For the lease holder: something its sweep acts on changed. */
  | { kind: 'poke'; work: OnceOnlyWork }
  /** For the lease holder: the result of one of its commands, from a host connected elsewhere. */
  | { kind: 'work-result'; work: OnceOnlyWork; hostId: string; result: WorkResult };

export type ClusterMessageKind = ClusterMessage['kind'];
export type ClusterMessageOf<K extends ClusterMessageKind> = Extract<ClusterMessage, { kind: K }>;
