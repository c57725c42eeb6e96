import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { collect, establishedRemotePorts, runCli, runCliOnPty, startCli } from './support/imagelib-cli.js';
import { commandAvailable, freePort, tempDir, waitFor } from './support/processes.js';
import { sha512 } from './support/hashing-sink.js';

interface Host {
  id: string;
  hostname: string;
  connected: boolean;
  roles: { role: string; state: string; url: string; port: number; repositoryPath: string }[];
  images?: { imageId: string; status: string }[];
}
interface Endpoint {
  url: string;
  hostname: string;
  healthy: boolean;
  reason: string;
}
interface Matrix {
  hosts: { id: string; hostname: string }[];
  images: { id: string; name: string | null; cells: { hostname: string; status: string; reason: string }[] }[];
}

// Larger than what the loopback socket buffers hold, so that a stalled download is really mid-stream.
const IMAGE_BYTES = 24 * 1024 * 1024;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

describe('the imagelib command line over a real controller and agents', () => {
  const controller = new ControllerProcess({ IMAGELIB_HEARTBEAT_INTERVAL_MS: '500' });
  const agents = ['host-a', 'host-b'].map((name) => new AgentProcess(name, controller));
  const [hostA, hostB] = agents as [AgentProcess, AgentProcess];
  const work = tempDir('cli');
  const data = randomBytes(IMAGE_BYTES);
  const dataFile = join(work, 'cli-image.raw');
  const small = randomBytes(4 * 1024 * 1024);
  const smallFile = join(work, 'pty-image.raw');
  const ports = new Map<string, number>();
  const pty = commandAvailable('script', 'bsdutils');
  /** The CLI's environment: no stray config from the real home directory. */
  let env: NodeJS.ProcessEnv = {};

  const cli = (...args: string[]) => runCli(args, env);
  async function json<T>(...args: string[]): Promise<T> {
    const result = await cli(...args, '--json');
    if (result.code !== 0) throw new Error(`imagelib ${args.join(' ')} --json: exit ${result.code}: ${result.stderr}`);
    return JSON.parse(result.out) as T;
  }
  const endpoints = () => json<Endpoint[]>('endpoints');
  const status = (...filters: string[]) => json<Matrix>('status', ...filters);

  beforeAll(async () => {
    writeFileSync(dataFile, data);
    writeFileSync(smallFile, small);
    await controller.start();
    env = { HOME: work, IMAGELIB_CONTROLLER_URL: `http://127.0.0.1:${controller.httpPort}`, IMAGELIB_TOKEN_FILE: join(controller.dataDir, 'admin-token') };
    for (const agent of agents) ports.set(agent.hostname, await freePort());
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
  });

  it('--help documents the commands, the configuration and the exit statuses; a group without a command is a usage error (2)', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['hosts', 'role', 'join-token', 'endpoints', 'images', 'status']) expect(help.out).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(help.out).toContain('IMAGELIB_CONTROLLER_URL');
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 130]) expect(help.out).toMatch(new RegExp(`^\\s+${code}  \\w`, 'm'));
    const upload = await runCli(['images', 'upload', '--help']);
    expect(upload.code).toBe(0);
    expect(upload.out).toMatch(/--disk-format <format>[\s\S]*--property <key=value>[\s\S]*--json/);
    const group = await runCli(['hosts']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('Usage: imagelib hosts');
  });

  it('join-token create: the agents enrol with the token it prints', async () => {
    const human = await cli('join-token', 'create', '--ttl', '600');
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^token: +\w+\.\w+$/m);
    expect(human.out).toMatch(/imagelib-agent --controller \S+ --join-token \S+ --ca-cert-hash sha256:[0-9a-f]{64}/);
    const token = await json<{ token: string; caCertHash: string; maxUses: number; agentCommand: string }>('join-token', 'create', '--max-uses', '2', '--description', 'cli e2e');
    expect(token.maxUses).toBe(2);
    expect(token.agentCommand).toContain(token.token);
    await Promise.all(agents.map((agent) => agent.startConnected({ token: token.token, caCertHash: token.caCertHash })));
  });

  it('hosts list and show, by name or id, as a table or JSON', async () => {
    const hosts = await json<Host[]>('hosts', 'list');
    expect(hosts.map((h) => [h.hostname, h.connected]).sort()).toEqual([
      ['host-a', true],
      ['host-b', true],
    ]);
    const table = await cli('hosts', 'list');
    expect(table.out).toMatch(/^HOSTNAME +ID +REGION +CONNECTED/);
    expect(table.out).toMatch(new RegExp(`^host-a +${hostA.hostId} +default +yes `, 'm'));
    const byName = await json<Host>('hosts', 'show', 'host-b');
    expect(byName).toMatchObject({ id: hostB.hostId, hostname: 'host-b', connected: true, roles: [], images: [] });
    const byId = await cli('hosts', 'show', hostA.hostId);
    expect(byId.code).toBe(0);
    expect(byId.out).toMatch(/^hostname: +host-a$/m);
    expect(byId.out).toMatch(/^Roles:\n {2}none$/m);
  });

  it('role assign --wait: the role is active and the host listed as an endpoint', async () => {
    for (const agent of agents) {
      const role = await json<{ state: string; url: string; repositoryPath: string }>(
        'role',
        'assign',
        agent.hostname,
        '--repository-path',
        join(work, `repo-${agent.hostname}`),
        '--port',
        String(ports.get(agent.hostname)),
        '--wait',
        '20',
      );
      expect(role).toMatchObject({ state: 'active', url: `http://127.0.0.1:${ports.get(agent.hostname)}`, repositoryPath: join(work, `repo-${agent.hostname}`) });
    }
    expect((await endpoints()).map((e) => [e.hostname, e.healthy]).sort()).toEqual([
      ['host-a', true],
      ['host-b', true],
    ]);
    const table = await cli('endpoints');
    expect(table.out).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${ports.get('host-a')} +host-a +default +yes +-$`, 'm'));
  });

  it('an unknown host is exit status 3 and says so', async () => {
    for (const args of [
      ['hosts', 'show', 'no-such-host'],
      ['role', 'drain', 'no-such-host'],
    ]) {
      const result = await cli(...args);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe('imagelib: no host has the id or name "no-such-host" (hosts: host-a, host-b)\n');
    }
  });

  it('configuration: missing URL or token is exit status 2 naming what is missing; a config file works', async () => {
    const nothing = await runCli(['hosts', 'list'], { HOME: work });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('no controller URL: give --controller URL, set IMAGELIB_CONTROLLER_URL');
    expect(nothing.stderr).toContain('no operator token: give --token TOKEN or --token-file FILE');
    const noToken = await runCli(['hosts', 'list'], { HOME: work, IMAGELIB_CONTROLLER_URL: env.IMAGELIB_CONTROLLER_URL });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).not.toContain('no controller URL');
    expect(noToken.stderr).toContain('no operator token');

    const configFile = join(work, 'imagelib.json');
    writeFileSync(configFile, JSON.stringify({ controllerUrl: env.IMAGELIB_CONTROLLER_URL, tokenFile: env.IMAGELIB_TOKEN_FILE }));
    const fromFile = await runCli(['--config', configFile, 'hosts', 'list', '--json'], { HOME: work });
    expect(fromFile.code).toBe(0);
    expect((JSON.parse(fromFile.out) as Host[]).length).toBe(2);
    writeFileSync(configFile, JSON.stringify({ controllerUrl: env.IMAGELIB_CONTROLLER_URL, tokn: 'x' }));
    const badKey = await runCli(['hosts', 'list', '--config', configFile], { HOME: work });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain(`unknown key "tokn" in ${configFile}`);
  });

  it('a refused token is exit status 4, an unreachable controller 5', async () => {
    const refused = await cli('hosts', 'list', '--token', 'not-a-real-token');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toBe('imagelib: the operator token is not valid (401 from GET /api/v1/hosts)\n');
    const port = await freePort();
    const unreachable = await cli('hosts', 'list', '--controller', `http://127.0.0.1:${port}`);
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toBe(`imagelib: the controller at http://127.0.0.1:${port} cannot be reached: connection refused (ECONNREFUSED)\n`);
  });

  it('images upload with plain progress lines when piped; list and show as JSON', async () => {
    const result = await cli('images', 'upload', dataFile, '--name', 'cli-image', '--property', 'os_distro=cirros', '--json');
    expect(result.code).toBe(0);
    const image = JSON.parse(result.out) as Record<string, unknown>;
    expect(image).toMatchObject({ name: 'cli-image', status: 'active', size: IMAGE_BYTES, disk_format: 'raw', container_format: 'bare', os_distro: 'cirros', os_hash_value: sha512(data) });
    expect(result.stderr).not.toMatch(ANSI);
    expect(result.stderr).toMatch(/^upload cli-image: 24\.0 MiB \/ 24\.0 MiB {2}100% {2}[\d.]+ [KMG]iB\/s {2}ETA 0:00 {2}done in \d+:\d\d$/m);

    const list = await json<{ id: string; name: string; status: string }[]>('images', 'list');
    expect(list).toEqual([expect.objectContaining({ id: image.id, name: 'cli-image', status: 'active' })]);
    const shown = await json<{ id: string; osHashValue: string; hosts: { hostname: string }[] }>('images', 'show', 'cli-image');
    expect(shown).toMatchObject({ id: image.id, osHashValue: sha512(data) });
    expect(shown.hosts.map((h) => h.hostname).sort()).toEqual(['host-a', 'host-b']);
    const table = await cli('images', 'list');
    expect(table.out).toMatch(new RegExp(`^cli-image +${String(image.id)} +active +raw +24\\.0 MiB +shared +ok \\d/2$`, 'm'));
  });

  it('status: the image × host matrix, filtered, coloured only on a terminal and without NO_COLOR', async () => {
    // Each host has its own repository: the controller copies the image to the second one.
    await waitFor('the image ok on both hosts', async () => (await status()).images[0]?.cells.filter((c) => c.status === 'ok').length === 2, 30_000, 250);
    const matrix = await status();
    expect(matrix.hosts.map((h) => h.hostname)).toEqual(['host-a', 'host-b']);
    expect((await status('--problems')).images).toEqual([]);
    expect((await status('--host', 'host-b')).images[0]?.cells.map((c) => c.hostname)).toEqual(['host-b']);
    expect((await status('--image', 'cli-image')).images.map((i) => i.name)).toEqual(['cli-image']);
    const unknown = await cli('status', '--image', 'no-such-image');
    expect(unknown.code).toBe(3);

    const piped = await cli('status');
    expect(piped.out).toMatch(/^IMAGE +ID +STATUS +host-a +host-b$/m);
    expect(piped.out).toMatch(/^cli-image +\w{8} +active +ok +ok$/m);
    expect(piped.out).toContain('1 image × 2 hosts: 2 ok');
    expect(piped.out).not.toMatch(ANSI);
    if (!pty) return;
    const coloured = await runCliOnPty(['status'], env);
    expect(coloured.code).toBe(0);
    expect(coloured.out).toContain('\u001b[32mok\u001b[39m');
    const plain = await runCliOnPty(['status'], { ...env, NO_COLOR: '1' });
    expect(plain.out).toMatch(/cli-image +\w{8} +active +ok +ok/);
    expect(plain.out).not.toMatch(ANSI);
  });

  it('images download -o FILE: the same bytes, verified, with a JSON summary', async () => {
    const file = join(work, 'downloaded.raw');
    const result = await cli('images', 'download', 'cli-image', '-o', file, '--json');
    expect(result.code).toBe(0);
    expect(sha512(readFileSync(file))).toBe(sha512(data));
    const summary = JSON.parse(result.out) as { bytes: number; hashAlgo: string; hashValue: string; destination: string; segments: unknown[] };
    expect(summary).toMatchObject({ bytes: IMAGE_BYTES, hashAlgo: 'sha512', hashValue: sha512(data), destination: file });
    expect(result.stderr).toMatch(/^download cli-image: 24\.0 MiB \/ 24\.0 MiB {2}100% /m);
    expect(result.stderr).not.toMatch(ANSI);
  });

  it('upload and download on a pseudo-terminal draw a progress bar with bytes, speed and ETA', async () => {
    if (!pty) return;
    const upload = await runCliOnPty(['images', 'upload', smallFile, '--name', 'pty-image'], env);
    expect(upload.code).toBe(0);
    const file = join(work, 'pty.raw');
    const download = await runCliOnPty(['images', 'download', 'pty-image', '-o', file], env);
    expect(download.code).toBe(0);
    expect(sha512(readFileSync(file))).toBe(sha512(small));
    for (const [what, output] of [
      ['upload', upload.out],
      ['download', download.out],
    ] as const) {
      // Redrawn in place: carriage return / cursor moves, the bar's blocks, bytes, percentage, speed and ETA.
      expect(output).toMatch(ANSI);
      expect(output).toMatch(new RegExp(`${what} pty-image \u2588+ 4\\.0 MiB / 4\\.0 MiB {2}100% {2}[\\d.]+ [KMG]iB/s {2}ETA 0:00`));
    }
    expect(upload.out).toMatch(/uploaded image [0-9a-f-]{36} \(pty-image\): active/);
  });

  it('a download resumes on the other host when the serving host dies', async () => {
    const child = startCli(['images', 'download', 'cli-image'], env);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // stdout is not read yet: the download stalls part-way on whichever host serves it.
    const servingPort = await waitFor('the download to be under way', () => {
      if (!stderr.includes('download cli-image:')) return undefined;
      return establishedRemotePorts(child.pid!).find((port) => [...ports.values()].includes(port));
    });
    const serving = agents.find((agent) => ports.get(agent.hostname) === servingPort)!;
    const other = agents.find((agent) => agent !== serving)!;
    await serving.kill('SIGKILL');
    const result = await collect(child, 30_000);
    expect(result.code).toBe(0);
    expect(sha512(result.stdout)).toBe(sha512(data));
    expect(stderr).toMatch(new RegExp(`^download cli-image: ${serving.hostname} \\(http://127\\.0\\.0\\.1:${servingPort}\\) failed \\(.+\\); going on with another host at [\\d.]+ [KM]iB$`, 'm'));
    expect(stderr).toMatch(new RegExp(`served by ${serving.hostname} .*bytes 0-\\d+, ${other.hostname} .*bytes \\d+-${IMAGE_BYTES - 1} \\(resumed 1×, restarted 0×\\)`));

    await waitFor('the dead host offline in the matrix', async () => {
      const problems = await status('--problems');
      return problems.images.length === 2 && problems.images.every((image) => image.cells.find((c) => c.hostname === serving.hostname)?.status === 'offline');
    });
    await serving.startConnected();
    await waitFor('every image ok on both hosts again', async () => (await status('--problems')).images.length === 0, 20_000, 250);
  });

  it('images delete: gone from the catalog (show is then exit status 3)', async () => {
    const deleted = await cli('images', 'delete', 'pty-image');
    expect(deleted.code).toBe(0);
    expect(deleted.out).toMatch(/^deleted image [0-9a-f-]{36} \(pty-image\)$/m);
    const shown = await cli('images', 'show', 'pty-image');
    expect(shown.code).toBe(3);
    expect(shown.stderr).toBe('imagelib: no image has the id or name "pty-image" (images: cli-image)\n');
  });

  it('role drain and remove: refused for the last copy (exit status 6) unless --force; then no image host is left (exit status 7)', async () => {
    const drained = await cli('role', 'drain', 'host-b', '--wait', '20');
    expect(drained.code).toBe(0);
    expect(drained.out).toBe('host-b: image-library role removed\n');
    expect((await endpoints()).map((e) => e.hostname)).toEqual(['host-a']);

    const refused = await cli('role', 'remove', 'host-a');
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(/^imagelib: .*cli-image.* \(409 from DELETE \/api\/v1\/hosts\/[0-9a-f-]{36}\/roles\/image-library\)$/m);
    const forced = await json<{ state: string }>('role', 'remove', 'host-a', '--force');
    expect(forced.state).toBe('removing');

    await waitFor('no endpoint left', async () => (await endpoints()).length === 0);
    const download = await cli('images', 'download', 'cli-image', '-o', join(work, 'nowhere.raw'));
    expect(download.code).toBe(7);
    expect(download.stderr).toContain('no image endpoint is known');
  });

  it('with the controller down every command is exit status 5', async () => {
    await controller.kill('SIGKILL');
    for (const args of [
      ['hosts', 'list'],
      ['images', 'list', '--json'],
      ['status'],
    ]) {
      const result = await cli(...args);
      expect(result.code).toBe(5);
      expect(result.stderr).toBe(`imagelib: the controller at ${env.IMAGELIB_CONTROLLER_URL} cannot be reached: connection refused (ECONNREFUSED)\n`);
    }
  });
});
