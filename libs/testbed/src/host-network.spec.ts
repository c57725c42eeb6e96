import { describe, expect, it } from '@jest/globals';
import { planNetwork } from './host-network.js';

describe('planNetwork', () => {
  it('gives every host its own namespace, link and address on the gateway subnet', () => {
    const plan = planNetwork(4242, 3);
    expect(plan.bridge).toBe('ilbr4242');
    expect(plan.gateway).toBe('10.242.84.1');
    expect(plan.hosts).toEqual([
      { netns: 'il4242h1', link: 'ilv4242h1', address: '10.242.84.11' },
      { netns: 'il4242h2', link: 'ilv4242h2', address: '10.242.84.12' },
      { netns: 'il4242h3', link: 'ilv4242h3', address: '10.242.84.13' },
    ]);
  });

  it('keeps interface names within the kernel limit for the largest ids and beds', () => {
    const plan = planNetwork(4_194_303, 200);
    for (const name of [plan.bridge, ...plan.hosts.map((h) => h.link)]) expect(name.length).toBeLessThanOrEqual(15);
    expect(new Set(plan.hosts.map((h) => h.address)).size).toBe(200);
  });

  it('refuses impossible beds', () => {
    expect(() => planNetwork(-1, 3)).toThrow('non-negative integer');
    expect(() => planNetwork(1, 0)).toThrow('1 to 200 hosts');
    expect(() => planNetwork(1, 201)).toThrow('1 to 200 hosts');
  });
});
