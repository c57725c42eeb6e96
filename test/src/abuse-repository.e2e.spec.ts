import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess, type ImageView } from './support/controller.js';
import { rootAvailable, tempDir, waitFor } from './support/processes.js';

/**
 * The abuse suite's repository part: what an agent running as an unprivileged user does with
 * entries that point, or lead, outside its repository. Files outside are canaries: their content
 * is compared and their access time watched (set before their modification time, so that a
 * relatime mount records the next read). repository.e2e.spec.ts shows the ordinary discovery and a
 * symlink to /etc/shadow; glance-input.e2e.spec.ts a symlink planted at an image's path and
 * image names with `../`.
 */


const NOBODY = { uid: 65534, gid: 65534 };
const LONG_AGO = new Date('2001-01-01T00:00:00Z');

/** What the suite tried, for docs/reliability.md. */
const tried: string[] = [];

describe('abuse: entries leading out of the repository', () => {
  const ready = rootAvailable('running the agent unprivileged and making device files');
  const controller = new ControllerProcess();
  const agent = new AgentProcess('guarded', controller, ['--image-api-auth', 'none'], NOBODY);
  const base = tempDir('abuse-repository');
  const repository = join(base, 'images');
  /** Outside the repository, writable by the agent's user (so only the agent's own care keeps it from deleting there). */
  const outside = join(base, 'outside');
  /** Outside the repository, root's. */
  const secret = join(tempDir('secret'), 'secret.raw');
  const staging = join(base, 'staging');
  const canaries: string[] = [];
  let url = '';

  /** A file outside whose content and access time are checked at the end. */
  function canary(path: string, content: Buffer): string {
    writeFileSync(path, content, { mode: 0o644 });
    utimesSync(path, LONG_AGO, new Date());
    canaries.push(path);
    return path;
  }

  /** Reads a canary to compare it, without hiding a read by the agent: its access time is put back only if nothing had read it before. */
  function peek(path: string): Buffer {
    const untouched = statSync(path).atimeMs <= LONG_AGO.getTime();
    const content = readFileSync(path);
    if (untouched) utimesSync(path, LONG_AGO, statSync(path).mtime);
    return content;
  }

  /** Moves a file made in the staging directory into the repository in one rename, as copy tools do. */
  function drop(name: string, content: Buffer): string {
    const path = join(staging, name);
    writeFileSync(path, content);
    chownSync(path, NOBODY.uid, NOBODY.gid);
    renameSync(path, join(repository, name));
    return join(repository, name);
  }

  const images = async () => (await controller.request<ImageView[]>('GET', '/api/v1/images')).body;
  const catalogued = (name: string) => waitFor(`${name} to be catalogued and ok`, async () => (await images()).find((image) => image.name === name && image.hosts[0]?.status === 'ok'), 20_000);
  const refusedInLog = (name: string) => waitFor(`the agent to refuse ${JSON.stringify(name)}`, () => agent.log().split('\n').some((line) => line.includes('repository entry refused') && line.includes(JSON.stringify(name).slice(1, -1))), 20_000);

  beforeAll(async () => {
    if (!ready) return;
    for (const dir of [base, outside, staging]) {
      mkdirSync(dir, { recursive: true });
      chownSync(dir, NOBODY.uid, NOBODY.gid);
    }
    canary(secret, Buffer.from('root secret, never to be served\n'));
    await controller.start();
    const hostId = await agent.startConnected(await controller.joinToken());
    [url] = await controller.giveImageLibraryRole([hostId], [repository]);
  });

  afterAll(async () => {
    if (!ready) return;
    await agent.kill('SIGTERM');
    await controller.kill('SIGTERM');
    console.log(`abuse-repository figures: ${JSON.stringify({ attacks: tried.length, tried })}`);
  });

  it('never follows a symlink, absolute or relative, to a file outside', async () => {
    if (!ready) return;
    const target = canary(join(outside, 'linked-canary.raw'), randomBytes(4096));
    symlinkSync(secret, join(repository, 'absolute-link.raw'));
    symlinkSync('../outside/linked-canary.raw', join(repository, 'relative-link.raw'));
    symlinkSync('/dev/zero', join(repository, 'zero-link.raw'));
    for (const name of ['absolute-link.raw', 'relative-link.raw', 'zero-link.raw']) await refusedInLog(name);
    expect((await images()).map((image) => image.name)).toEqual([]);
    expect(statSync(target).size).toBe(4096);
    tried.push('symlink to a root file (absolute)', 'symlink to a file outside (relative)', 'symlink to /dev/zero');
  });

  it('catalogues a file hard-linked into the repository (the same inode is inside), and deleting the image leaves the outside name alone', async () => {
    if (!ready) return;
    const content = randomBytes(64 * 1024);
    const outsideName = canary(join(outside, 'hard-canary.raw'), content);
    chownSync(outsideName, NOBODY.uid, NOBODY.gid);
    linkSync(outsideName, join(staging, 'hard-linked.raw'));
    renameSync(join(staging, 'hard-linked.raw'), join(repository, 'hard-linked.raw'));
    const image = await catalogued('hard-linked.raw');
    expect(Buffer.from(await (await fetch(`${url}/v2/images/${image.id}/file`)).arrayBuffer()).equals(content)).toBe(true);
    expect((await fetch(`${url}/v2/images/${image.id}`, { method: 'DELETE' })).status).toBe(204);
    await waitFor('the repository name removed', () => !existsSync(join(repository, 'hard-linked.raw')), 20_000);
    expect(readFileSync(outsideName).equals(content)).toBe(true);
    expect(statSync(outsideName).nlink).toBe(1);
    // The agent read it through the repository's own name: that is the one read of this canary allowed.
    utimesSync(outsideName, LONG_AGO, statSync(outsideName).mtime);
    tried.push('hard link to a file outside, then the image deleted');
  });

  it('refuses names with control characters, takes a name with ".." as the plain name it is, and never reaches outside through either', async () => {
    if (!ready) return;
    const refused = ['bell\u0007.raw', 'new\nline.raw', 'escape\u001b[31m.raw', 'del\u007f.raw', 'c1\u0085.raw'];
    for (const name of refused) drop(name, randomBytes(1024));
    const dotted = drop('up..down.raw', randomBytes(2048));
    for (const name of refused) await refusedInLog(name);
    const image = await catalogued('up..down.raw');
    expect(Buffer.from(await (await fetch(`${url}/v2/images/${image.id}/file`)).arrayBuffer()).equals(readFileSync(dotted))).toBe(true);
    expect((await images()).map((i) => i.name).filter((name) => name !== null && refused.includes(name))).toEqual([]);
    tried.push(...refused.map((name) => `file name ${JSON.stringify(name)}`), 'file name "up..down.raw"');
  });

  it('refuses FIFOs and device files without opening them, and goes on discovering', async () => {
    if (!ready) return;
    execFileSync('mkfifo', [join(repository, 'pipe.raw')]);
    execFileSync('mknod', [join(repository, 'null.raw'), 'c', '1', '3']);
    execFileSync('mknod', [join(repository, 'zero.raw'), 'c', '1', '5']);
    execFileSync('mknod', [join(repository, 'loop.raw'), 'b', '7', '0']);
    drop('after-the-fifo.raw', randomBytes(1024));
    for (const name of ['pipe.raw', 'null.raw', 'zero.raw', 'loop.raw']) await refusedInLog(name);
    await catalogued('after-the-fifo.raw');
    expect(agent.log()).toContain('FIFO refused');
    expect(agent.log()).toContain('character device refused');
    expect(agent.log()).toContain('block device refused');
    expect(agent.child?.exitCode).toBeNull();
    tried.push('FIFO', 'character device /dev/null', 'character device /dev/zero', 'block device loop0');
  });

  it('never scans into a subdirectory, nor through one swapped for a symlink', async () => {
    if (!ready) return;
    const sub = join(repository, 'sub');
    mkdirSync(sub);
    writeFileSync(join(sub, 'inner.raw'), randomBytes(1024));
    await refusedInLog('sub');
    canary(join(outside, 'inner.raw'), randomBytes(1024));
    renameSync(sub, join(staging, 'sub-moved'));
    symlinkSync(outside, sub);
    await waitFor('the swapped subdirectory refused as a symlink', () => agent.log().includes(`symlink to ${outside} refused`), 20_000);
    expect((await images()).map((image) => image.name)).not.toContain('inner.raw');
    tried.push('subdirectory with a file', 'subdirectory swapped for a symlink to a directory outside');
  });

  it('serves and deletes nothing outside while the repository directory itself is swapped for a symlink', async () => {
    if (!ready) return;
    const real = randomBytes(32 * 1024);
    drop('swapped.raw', real);
    const image = await catalogued('swapped.raw');
    const decoyDir = join(base, 'decoy');
    mkdirSync(decoyDir);
    chownSync(decoyDir, NOBODY.uid, NOBODY.gid);
    const decoy = canary(join(decoyDir, 'swapped.raw'), randomBytes(real.length));
    chownSync(decoy, NOBODY.uid, NOBODY.gid);
    const decoyContent = peek(decoy);

    renameSync(repository, join(base, 'images.real'));
    symlinkSync(decoyDir, repository);
    try {
      const seen = new Set<string>();
      for (const deadline = Date.now() + 3000; Date.now() < deadline; ) {
        const response = await fetch(`${url}/v2/images/${image.id}/file`);
        const body = Buffer.from(await response.arrayBuffer());
        seen.add(response.status === 200 ? (body.equals(decoyContent) ? 'the decoy' : body.equals(real) ? 'the image' : 'something else') : String(response.status));
      }
      expect([...seen]).not.toContain('the decoy');
      expect(await fetch(`${url}/v2/images/${image.id}`, { method: 'DELETE' }).then((r) => r.status)).toBe(204);
      await waitFor('the deletion tried on the host', async () => {
        const view = await controller.request<ImageView>('GET', `/api/v1/images/${image.id}`);
        return view.status === 404 || view.body.hosts[0]?.status === 'cannot-delete';
      }, 20_000);
      expect(peek(decoy).equals(decoyContent)).toBe(true);
    } finally {
      rmSync(repository);
      renameSync(join(base, 'images.real'), repository);
    }
    await waitFor('the image file deleted from the real repository', () => !existsSync(join(repository, 'swapped.raw')), 30_000);
    expect(peek(decoy).equals(decoyContent)).toBe(true);
    tried.push('repository directory swapped for a symlink to a directory with a same-named, same-sized file: downloads and a deletion meanwhile');
  }, 60_000);

  it('never read a file outside the repository', () => {
    if (!ready) return;
    const read = canaries.filter((path) => statSync(path).atimeMs > LONG_AGO.getTime());
    expect(read).toEqual([]);
  });
});
