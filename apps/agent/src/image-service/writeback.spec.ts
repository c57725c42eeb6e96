import { describe, expect, it } from '@jest/globals';
import { Writeback } from './writeback.js';

/** A file whose datasync() calls are counted and settled by the test. */
function fakeFile() {
  const calls: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  return {
    calls,
    datasync: () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject })),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('Writeback', () => {
  it('starts a datasync each time another `every` bytes are in the file, one at a time', async () => {
    const file = fakeFile();
    const writeback = new Writeback(file, 100);
    writeback.written(99);
    expect(file.calls).toHaveLength(0);
    writeback.written(100);
    expect(file.calls).toHaveLength(1);
    writeback.written(250);
    expect(file.calls).toHaveLength(1);
    file.calls[0]!.resolve();
    await flush();
    writeback.written(199);
    expect(file.calls).toHaveLength(1);
    writeback.written(200);
    expect(file.calls).toHaveLength(2);
    file.calls[1]!.resolve();
    await writeback.settled();
  });

  it('settled() waits for the datasync in progress', async () => {
    const file = fakeFile();
    const writeback = new Writeback(file, 10);
    writeback.written(10);
    let settled = false;
    const waiting = writeback.settled().then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    file.calls[0]!.resolve();
    await waiting;
    expect(settled).toBe(true);
  });

  it('reports a failed datasync in settled(), even one that ended long before', async () => {
    const file = fakeFile();
    const writeback = new Writeback(file, 10);
    writeback.written(10);
    file.calls[0]!.reject(new Error('EIO: i/o error, fdatasync'));
    await flush();
    writeback.written(20);
    file.calls[1]!.resolve();
    await expect(writeback.settled()).rejects.toThrow('EIO: i/o error, fdatasync');
  });
});
