import { describe, expect, it } from '@jest/globals';
import type { HostView, ImageView } from './api-types.js';
import { painter, stripAnsi } from './color.js';
import { CliError } from './errors.js';
import { hostView, roleView } from './testing/views.js';
import { buildStatusMatrix } from './status-matrix.js';
import { renderStatusMatrix } from './status-view.js';

function host(id: string, hostname: string, withRole = true): HostView {
  return hostView({ id, hostname, roles: withRole ? [roleView()] : [] });
}

function image(id: string, name: string, cells: [string, string, string][]): ImageView {
  return {
    id,
    name,
    status: 'active',
    diskFormat: 'raw',
    containerFormat: 'bare',
    size: 1,
    virtualSize: null,
    checksum: null,
    osHashValue: null,
    visibility: 'shared',
    protected: false,
    fileName: null,
    createdAt: '',
    updatedAt: '',
    hosts: cells.map(([hostId, status, reason]) => ({ hostId, hostname: hostId === 'h1' ? 'host-a' : hostId === 'h2' ? 'host-b' : 'host-c', status, reason })),
  };
}

const hosts = [host('h2', 'host-b'), host('h1', 'host-a'), host('h3', 'host-c', false)];
const images = [
  image('i2-0000000', 'ubuntu', [
    ['h1', 'missing', 'no report from the host yet'],
    ['h2', 'offline', 'host disconnected'],
  ]),
  image('i1-0000000', 'cirros', [
    ['h1', 'ok', ''],
    ['h2', 'ok', ''],
  ]),
];

describe('buildStatusMatrix', () => {
  it('has a column per image-library host and a row per image, sorted by name', () => {
    const matrix = buildStatusMatrix(images, hosts);
    expect(matrix.hosts).toEqual([
      { id: 'h1', hostname: 'host-a' },
      { id: 'h2', hostname: 'host-b' },
    ]);
    expect(matrix.images.map((row) => [row.name, row.cells.map((c) => c.status)])).toEqual([
      ['cirros', ['ok', 'ok']],
      ['ubuntu', ['missing', 'offline']],
    ]);
  });

  it('filters by image, by host and to the problems', () => {
    expect(buildStatusMatrix(images, hosts, { problems: true }).images.map((row) => row.name)).toEqual(['ubuntu']);
    expect(buildStatusMatrix(images, hosts, { image: 'i1-0000000' }).images.map((row) => row.name)).toEqual(['cirros']);
    const hostB = buildStatusMatrix(images, hosts, { host: 'host-b' });
    expect(hostB.hosts).toEqual([{ id: 'h2', hostname: 'host-b' }]);
    expect(hostB.images.map((row) => row.cells.map((c) => c.hostname))).toEqual([['host-b'], ['host-b']]);
    expect(buildStatusMatrix(images, hosts, { host: 'host-a', problems: true }).images.map((row) => row.cells)).toEqual([
      [{ hostId: 'h1', hostname: 'host-a', status: 'missing', reason: 'no report from the host yet' }],
    ]);
  });

  it('fails as not found for an unknown image or host', () => {
    expect(() => buildStatusMatrix(images, hosts, { image: 'debian' })).toThrow(new CliError(3, 'no image has the id or name "debian" (images: ubuntu, cirros)'));
    expect(() => buildStatusMatrix(images, hosts, { host: 'host-z' })).toThrow(CliError);
  });
});

describe('renderStatusMatrix', () => {
  it('shows the matrix, a tally and every problem with its reason', () => {
    expect(renderStatusMatrix(buildStatusMatrix(images, hosts), painter(false))).toBe(
      [
        'IMAGE   ID        STATUS  host-a   host-b',
        'cirros  i1-00000  active  ok       ok',
        'ubuntu  i2-00000  active  missing  offline',
        '',
        '2 images × 2 hosts: 1 missing, 1 offline, 2 ok',
        '',
        'Problems:',
        'IMAGE   HOST    STATUS   REASON',
        'ubuntu  host-a  missing  no report from the host yet',
        'ubuntu  host-b  offline  host disconnected',
        '',
      ].join('\n'),
    );
  });

  it('colours each status, keeping the columns aligned', () => {
    const text = renderStatusMatrix(buildStatusMatrix(images, hosts), painter(true));
    expect(text).toContain('\u001b[32mok\u001b[39m');
    expect(text).toContain('\u001b[33mmissing\u001b[39m');
    expect(text).toContain('\u001b[2moffline\u001b[22m');
    expect(stripAnsi(text)).toBe(renderStatusMatrix(buildStatusMatrix(images, hosts), painter(false)));
  });

  it('says so when there is nothing to show', () => {
    expect(renderStatusMatrix({ hosts: [], images: [] }, painter(false))).toBe('no image-library hosts and no images\n');
  });
});
