import type { Hash } from 'node:crypto';

/** The algorithms the agent hashes images with: Glance's `checksum` and `os_hash_value`. */
export type HashAlgorithm = 'md5' | 'sha512';

/**
 * Messages to a hashing thread. A lane is one hash job; its slots are views of shared memory both
 * threads read (a view posted keeps its SharedArrayBuffer), so a chunk is written once and never
 * copied to them.
 */
export type HashRequest =
  | { type: 'start'; lane: number; slots: Uint8Array[] }
  | { type: 'chunk'; lane: number; slot: number; length: number }
  | { type: 'digest'; lane: number }
  | { type: 'abort'; lane: number };

/** Replies, in request order: a lane's 'digest' or 'aborted' comes after every 'chunk-done' of it. */
export type HashReply =
  | { type: 'chunk-done'; lane: number; slot: number }
  | { type: 'digest'; lane: number; hex: string }
  | { type: 'aborted'; lane: number };

/**
 * The body of a hashing thread; workerData names its algorithm. It runs from its source text
 * (`new Worker(source, { eval: true })`), so the same code runs from dist and from the TypeScript
 * sources under Jest: it must not refer to anything outside itself.
 */
/* istanbul ignore next -- serialized: coverage counters inserted here would not exist in the thread */
export function hashThreadMain(): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const { createHash } = process.getBuiltinModule('node:crypto');
  // Niceness 10, below the event loop and the data's way in and out: when the cores are busy, the
  // requests and heartbeats run before the hashing. On Linux this applies to this thread only.
  try {
    process.getBuiltinModule('node:os').setPriority(0, 10);
  } catch {
    // Not allowed here: hash at the process's priority.
  }
  const lanes = new Map<number, { hash: Hash; slots: Uint8Array[] }>();
  const port = parentPort!;
  port.on('message', (request: HashRequest) => {
    switch (request.type) {
      case 'start':
        lanes.set(request.lane, { hash: createHash(workerData as string), slots: request.slots });
        return;
      case 'chunk': {
        const lane = lanes.get(request.lane)!;
        lane.hash.update(lane.slots[request.slot].subarray(0, request.length));
        port.postMessage({ type: 'chunk-done', lane: request.lane, slot: request.slot } satisfies HashReply);
        return;
      }
      case 'digest':
        port.postMessage({ type: 'digest', lane: request.lane, hex: lanes.get(request.lane)!.hash.digest('hex') } satisfies HashReply);
        lanes.delete(request.lane);
        return;
      case 'abort':
        lanes.delete(request.lane);
        port.postMessage({ type: 'aborted', lane: request.lane } satisfies HashReply);
        return;
    }
  });
}

/** The script a hashing thread runs. */
export const HASH_THREAD_SOURCE = `(${hashThreadMain.toString()})();`;
