import { describe, expect, it } from '@jest/globals';
import type { HostEntity } from '@imagelib/store';
import { StorageGroups } from './storage-groups.js';

const PATH = '/var/lib/imagelib/images';

/** An image-library host as the store holds it: the storage id of its role, what its probe reported. */
function host(name: string, storageId: string, probe?: { peers: string[]; settled: boolean }): HostEntity {
  return {
    id: `id-${name}`,
    hostname: name,
    roles: [{ role: 'image-library', repositoryPath: PATH, storageId }],
    facts: { repositories: [{ path: PATH, ...(probe ? { storagePeers: probe.peers.map((peer) => `id-${peer}`), storageProbeSettled: probe.settled } : {}) }] },
  } as unknown as HostEntity;
}

function names(groups: StorageGroups): string[][] {
  return groups
    .entries()
    .map(([, members]) => members.map((member) => member.hostname))
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

describe('StorageGroups', () => {
  it('hosts with the same marker that see each other share one storage; hosts without a marker are on their own', () => {
    const groups = StorageGroups.of([
      host('c', 'S', { peers: ['a'], settled: true }),
      host('a', 'S', { peers: ['c'], settled: true }),
      host('b', 'S', { peers: ['a'], settled: true }),
      host('d', ''),
    ]);
    expect(names(groups)).toEqual([['a', 'b', 'c'], ['d']]);
    expect(groups.keyOf('id-b')).toBe('storage:S');
    expect(groups.keyOf('id-d')).toBe('host:id-d');
    expect(groups.sharing('id-a').map((h) => h.hostname)).toEqual(['b', 'c']);
  });

  it('a copied marker: settled hosts that never see each other are separate storages, the operator is told', () => {
    const a = host('a', 'S', { peers: [], settled: true });
    const b = host('b', 'S', { peers: [], settled: true });
    const groups = StorageGroups.of([a, b]);
    expect(names(groups)).toEqual([['a'], ['b']]);
    expect(groups.keyOf('id-a')).toBe('storage:S');
    expect(groups.keyOf('id-b')).toBe('storage:S/id-b');
    expect(groups.sameMarkerElsewhere(a).map((h) => h.hostname)).toEqual(['b']);
    expect(groups.sameMarkerElsewhere(b).map((h) => h.hostname)).toEqual(['a']);
  });

  it('two pairs on two disks that carry one copied marker form two storages', () => {
    const groups = StorageGroups.of([
      host('a', 'S', { peers: ['b'], settled: true }),
      host('b', 'S', { peers: ['a'], settled: true }),
      host('c', 'S', { peers: ['d'], settled: true }),
      host('d', 'S', { peers: [], settled: true }),
    ]);
    expect(names(groups)).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('hosts that cannot tell yet (probe not settled, an older agent) stay with the marker until disproved', () => {
    const groups = StorageGroups.of([host('a', 'S', { peers: [], settled: true }), host('b', 'S', { peers: [], settled: false }), host('c', 'S')]);
    expect(names(groups)).toEqual([['a', 'b', 'c']]);
    expect(groups.sameMarkerElsewhere(host('a', 'S', { peers: [], settled: true }))).toEqual([]);
  });

  it('a host that stopped reporting keeps the link it last reported: one killed peer does not split a shared storage', () => {
    const groups = StorageGroups.of([host('a', 'S', { peers: [], settled: true }), host('b', 'S', { peers: ['a'], settled: true })]);
    expect(names(groups)).toEqual([['a', 'b']]);
  });

  it('ignores peers that are not hosts with this marker', () => {
    const groups = StorageGroups.of([host('a', 'S', { peers: ['x', 'b'], settled: true }), host('b', 'T', { peers: ['a'], settled: true })]);
    expect(names(groups)).toEqual([['a'], ['b']]);
  });
});
