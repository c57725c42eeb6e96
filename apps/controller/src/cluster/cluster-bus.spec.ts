import { describe, expect, it } from '@jest/globals';
import { payloads } from './cluster-bus.js';
import type { ClusterMessage } from './cluster-messages.js';

const stream = (i: number) => ({ hostId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, peer: `10.0.0.${i % 250}:${40000 + i}`, connectedAt: 1_796_000_000_000 + i, catalogAcked: i });

describe('payloads (NOTIFY bodies)', () => {
  it('packs messages in order into as few bodies as fit under 8,000 bytes', () => {
    const messages: ClusterMessage[] = Array.from({ length: 40 }, (_, part) => ({ kind: 'streams', reset: part === 0, opened: Array.from({ length: 50 }, (_, i) => stream(part * 50 + i)), closed: [] }));
    const tooLarge: ClusterMessage[] = [];
    const bodies = payloads('controller-1', messages, (message) => tooLarge.push(message));
    expect(tooLarge).toEqual([]);
    for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThan(8000);
    const unpacked = bodies.flatMap((body) => (JSON.parse(body) as { from: string; messages: ClusterMessage[] }).messages);
    expect(unpacked).toEqual(messages);
    expect(bodies.every((body) => (JSON.parse(body) as { from: string }).from === 'controller-1')).toBe(true);
  });

  it('puts small messages together', () => {
    const messages: ClusterMessage[] = [{ kind: 'beat', streams: 3 }, { kind: 'catalog' }, { kind: 'poke', work: 'replication' }];
    expect(payloads('c', messages, () => undefined)).toHaveLength(1);
  });

  it('leaves out a message too large for any body, and says so', () => {
    const huge: ClusterMessage = { kind: 'streams', reset: false, opened: Array.from({ length: 200 }, (_, i) => stream(i)), closed: [] };
    const tooLarge: ClusterMessage[] = [];
    const bodies = payloads('c', [{ kind: 'catalog' }, huge, { kind: 'hello' }], (message) => tooLarge.push(message));
    expect(tooLarge).toEqual([huge]);
    expect(bodies.flatMap((body) => (JSON.parse(body) as { messages: ClusterMessage[] }).messages)).toEqual([{ kind: 'catalog' }, { kind: 'hello' }]);
  });
});
