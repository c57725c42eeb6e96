import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';

/** The image API's endpoint list entry, as the client loops read it. */
export interface Endpoint {
  url: string;
  hostname: string;
  healthy: boolean;
  reason: string;
}

export const sha512 = (data: Buffer) => createHash('sha512').update(data).digest('hex');

/** A destination that keeps only the size and SHA-512 of what it was given, optionally pausing after every chunk (a slow reader). */
export function hashingSink(pauseMs = 0): { stream: Writable; digest: () => { size: number; sha512: string } } {
  const hash = createHash('sha512');
  let size = 0;
  const stream = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      if (pauseMs) setTimeout(done, pauseMs);
      else done();
    },
  });
  return { stream, digest: () => ({ size, sha512: hash.digest('hex') }) };
}
