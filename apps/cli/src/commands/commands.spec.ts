import { describe, expect, it } from '@jest/globals';
import type { DownloadResult, ImageDocument } from '@imagelib/client';
import { painter } from '../color.js';
import { hostView, roleView } from '../testing/views.js';
import { renderEndpoints } from './endpoints.js';
import { renderHost, renderHostList } from './hosts.js';
import { diskFormatFromName, renderDownloaded } from './images.js';
import { renderJoinToken } from './join-token.js';
import { renderRole, roleProgress } from './role.js';

const plain = painter(false);
const NOW = Date.parse('2025-01-01T12:00:00Z');

describe('hosts', () => {
  it('lists hosts with connection, heartbeat age, role state and conditions', () => {
    const hosts = [
      hostView({ hostname: 'host-b', id: 'b', connected: false, lastHeartbeatAt: null }),
      hostView({ id: 'a', roles: [roleView()], conditions: [{ type: 'low-free-space', blocking: false, reason: 'only 1 MiB free' }] }),
    ];
    expect(renderHostList(hosts, plain, NOW)).toBe(
      [
        'HOSTNAME  ID  REGION   CONNECTED  HEARTBEAT  IMAGE-LIBRARY  URL                   CONDITIONS',
        'host-a    a   default  yes        2s ago     active         http://10.0.0.5:9292  low-free-space',
        'host-b    b   default  no         never      -              -                     -',
        '',
      ].join('\n'),
    );
    expect(renderHostList([], plain, NOW)).toContain('no hosts enrolled');
  });

  it('shows one host with its roles and images', () => {
    const text = renderHost(hostView({ roles: [roleView({ state: 'failed', reason: 'EACCES on /var/lib/imagelib/images' })] }), [{ imageId: 'i1', name: 'cirros', status: 'missing', reason: 'not here' }], plain, NOW);
    expect(text).toMatch(/^last heartbeat: +2025-01-01T11:59:58\.000Z \(2s ago\)$/m);
    expect(text).toMatch(/^image-library +failed +http:\/\/10\.0\.0\.5:9292 +\/var\/lib\/imagelib\/images +9292 +1 +EACCES on \/var\/lib\/imagelib\/images$/m);
    expect(text).toMatch(/^Images:\nIMAGE +ID +STATUS +REASON\ncirros +i1 +missing +not here$/m);
  });
});

describe('role', () => {
  it('knows when an assignment is active (for its generation), failed, or the role gone', () => {
    const goal = { kind: 'active', generation: 2 } as const;
    expect(roleProgress(hostView({ roles: [roleView({ generation: 1, state: 'active' })] }), goal)).toBe('waiting');
    expect(roleProgress(hostView({ roles: [roleView({ generation: 2, state: 'pending' })] }), goal)).toBe('waiting');
    expect(roleProgress(hostView({ roles: [roleView({ generation: 2, state: 'active' })] }), goal)).toBe('done');
    expect(roleProgress(hostView({ roles: [roleView({ generation: 2, state: 'failed' })] }), goal)).toBe('failed');
    expect(roleProgress(hostView({ roles: [roleView({ state: 'removing' })] }), { kind: 'gone' })).toBe('waiting');
    expect(roleProgress(hostView(), { kind: 'gone' })).toBe('done');
  });

  it('describes a role in one line', () => {
    expect(renderRole('host-a', roleView({ state: 'pending', generation: 3, requireMount: true }), plain)).toBe(
      'host-a: image-library role pending (generation 3), http://10.0.0.5:9292, repository /var/lib/imagelib/images (must be a mounted share)\n',
    );
  });
});

describe('endpoints and join tokens', () => {
  it('lists endpoints with health and reason', () => {
    expect(renderEndpoints([{ url: 'http://b:9292', hostId: 'b', hostname: 'host-b', region: 'default', healthy: false, reason: 'host disconnected' }], plain)).toBe(
      'URL            HOST    REGION   HEALTHY  REASON\nhttp://b:9292  host-b  default  no       host disconnected\n',
    );
  });

  it('prints the agent command of a new join token', () => {
    const text = renderJoinToken({
      id: 'k3x9qa',
      description: '',
      expiresAt: '2025-01-02T00:00:00.000Z',
      maxUses: 3,
      uses: 0,
      createdAt: '2025-01-01T00:00:00.000Z',
      token: 'k3x9qa.secret',
      caCertHash: 'sha256:ab',
      controllerAddress: 'c:9443',
      agentCommand: 'imagelib-agent --controller c:9443 --join-token k3x9qa.secret --ca-cert-hash sha256:ab',
    });
    expect(text).toMatch(/^token: +k3x9qa\.secret$/m);
    expect(text).toMatch(/^max uses: +3$/m);
    expect(text).toContain('\n  imagelib-agent --controller c:9443 --join-token k3x9qa.secret --ca-cert-hash sha256:ab\n');
  });
});

describe('images', () => {
  it('tells the disk format from the file name when it can', () => {
    expect(['cirros.qcow2', 'disk.RAW', 'win.vhdx', 'debian.iso', 'cirros.img', 'noext'].map(diskFormatFromName)).toEqual(['qcow2', 'raw', 'vhdx', 'iso', null, null]);
  });

  it('says which hosts served which bytes of a download', () => {
    const result: DownloadResult = {
      image: { id: 'i1', name: 'cirros' } as ImageDocument,
      bytes: 100,
      hashAlgo: 'sha512',
      hashValue: 'abc',
      segments: [
        { url: 'http://a:9292', from: 0, to: 40 },
        { url: 'http://b:9292', from: 40, to: 100 },
      ],
      resumes: 1,
      restarts: 0,
    };
    expect(renderDownloaded(result, 'out.raw', (url) => (url === 'http://a:9292' ? 'host-a' : 'host-b'))).toBe(
      'downloaded image i1 (cirros) to out.raw: 100 B, sha512 abc verified\nserved by host-a bytes 0-39, host-b bytes 40-99 (resumed 1×, restarted 0×)\n',
    );
  });
});
