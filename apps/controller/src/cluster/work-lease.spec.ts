import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postgresForTests, type PostgresServer, startPostgres } from '@imagelib/testbed';
import type { ControllerConfig } from '../config/controller-config.js';
import { ClusterBus } from './cluster-bus.js';
import { WorkLease } from './work-lease.js';

const START_MS = 120_000;

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('WorkLease and ClusterBus', () => {
  it('on sqlite: the one controller always holds the lease, and the bus is off', () => {
    const config = { database: { sqlitePath: '/nonexistent/imagelib.sqlite' } } as ControllerConfig;
    expect(new WorkLease(config).held).toBe(true);
    expect(new ClusterBus(config).enabled).toBe(false);
  });

  describe('on PostgreSQL', () => {
    const binaries = postgresForTests('the work lease and cluster bus on PostgreSQL');
    if (!binaries) {
      it('did not run: PostgreSQL is missing (warned above)', () => undefined);
      return;
    }
    let server: PostgresServer;
    let config: ControllerConfig;

    beforeAll(async () => {
      server = await startPostgres({ binaries });
      config = { database: { postgresUrl: await server.createDatabase('lease') } } as ControllerConfig;
    }, START_MS);

    afterAll(async () => {
      await server?.stop();
    });

    it('gives the lease to one controller at a time, and to another once the holder is gone', async () => {
      const leases = [new WorkLease(config), new WorkLease(config), new WorkLease(config)];
      const taken: number[] = [];
      leases.forEach((lease, i) => lease.onAcquired(() => taken.push(i)));
      leases.forEach((lease) => lease.onApplicationBootstrap());
      try {
        await until('one holder', () => leases.some((lease) => lease.held));
        // A few more tries by the others change nothing.
        await new Promise((resolve) => setTimeout(resolve, 2500));
        expect(leases.filter((lease) => lease.held)).toHaveLength(1);
        const first = leases.findIndex((lease) => lease.held);
        await leases[first]!.onApplicationShutdown();
        await until('another holder', () => leases.some((lease, i) => i !== first && lease.held), 5000);
        expect(leases.filter((lease) => lease.held)).toHaveLength(1);
        expect(taken).toHaveLength(2);
      } finally {
        await Promise.all(leases.map((lease) => lease.onApplicationShutdown()));
      }
    });

    it('carries messages between controllers in order, never back to their sender', async () => {
      const [one, two] = [new ClusterBus(config), new ClusterBus(config)];
      const heardByTwo: unknown[] = [];
      const heardByOne: unknown[] = [];
      two.on('beat', (message, from) => heardByTwo.push([from, message.streams]));
      one.on('beat', (message) => heardByOne.push(message));
      let joined = 0;
      for (const bus of [one, two]) {
        bus.onJoined(() => joined++);
        bus.onApplicationBootstrap();
      }
      try {
        await until('both on the channel', () => joined === 2);
        for (let streams = 0; streams < 500; streams++) one.publish({ kind: 'beat', streams });
        await until('every message heard', () => heardByTwo.length === 500);
        expect(heardByTwo).toEqual(Array.from({ length: 500 }, (_, streams) => [one.controllerId, streams]));
        expect(heardByOne).toEqual([]);
      } finally {
        await Promise.all([one.onApplicationShutdown(), two.onApplicationShutdown()]);
      }
    });
  });
});
