import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { commandAvailable, sleep, tempDir, waitFor } from './support/processes.js';

const HEARTBEAT_MS = 500;
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

describe('wall-clock jumps on an agent (an NTP step, a wrong RTC)', () => {
  if (!commandAvailable('faketime', 'faketime') || !existsSync(LIBFAKETIME)) {
    it('did not run: libfaketime is missing (warned above)', () => undefined);
    return;
  }

  // The agent's wall clock is offset by what this file says, re-read on every call (libfaketime);
  // its monotonic clock is left alone, as a real clock step leaves it.
  const offsetFile = join(tempDir('clock'), 'offset');
  const fakeClock = ['env', `LD_PRELOAD=${LIBFAKETIME}`, `FAKETIME_TIMESTAMP_FILE=${offsetFile}`, 'FAKETIME_NO_CACHE=1', 'FAKETIME_DONT_FAKE_MONOTONIC=1'];
  const controller = new ControllerProcess({ IMAGELIB_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) });
  const skewed = new AgentProcess('skewed', controller, [], undefined, fakeClock);
  const steady = new AgentProcess('steady', controller);

  beforeAll(async () => {
    writeFileSync(offsetFile, '+0\n');
    await controller.start();
    const joinToken = await controller.joinToken({ maxUses: 2 });
    await Promise.all([skewed.startConnected(joinToken), steady.startConnected(joinToken)]);
  });

  afterAll(async () => {
    await Promise.all([skewed.kill('SIGTERM'), steady.kill('SIGTERM')]);
    await controller.kill('SIGTERM');
  });

  /** Polls both hosts every 100 ms for `ms`; returns every moment a host was seen disconnected. */
  const watch = async (ms: number) => {
    const seen: string[] = [];
    const until = Date.now() + ms;
    while (Date.now() < until) {
      for (const host of await controller.hosts()) if (!host.connected) seen.push(`${host.hostname} at ${new Date().toISOString()}`);
      await sleep(100);
    }
    return seen;
  };

  it('keeps a healthy host connected when its clock jumps an hour forward, then two hours back', async () => {
    writeFileSync(offsetFile, '+3600\n');
    expect(await watch(4 * HEARTBEAT_MS * 2.5)).toEqual([]);
    writeFileSync(offsetFile, '-3600\n');
    expect(await watch(4 * HEARTBEAT_MS * 2.5)).toEqual([]);
    expect(skewed.child?.exitCode).toBeNull();
  });

  it('does not revive a dead host: the other one killed stays offline while the skewed one jumps again', async () => {
    await steady.kill('SIGKILL');
    await waitFor('steady disconnected', async () => (await controller.hosts()).find((h) => h.hostname === 'steady')?.connected === false, 5_000, 50);
    writeFileSync(offsetFile, '+86400\n');
    const seen = await watch(3_000);
    expect(seen.every((s) => s.startsWith('steady'))).toBe(true);
    const hosts = await controller.hosts();
    expect(hosts.find((h) => h.hostname === 'steady')?.connected).toBe(false);
    expect(hosts.find((h) => h.hostname === 'skewed')?.connected).toBe(true);
  });
});
