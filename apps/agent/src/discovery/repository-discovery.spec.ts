import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, chmod, link, lstat, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { HashingPool } from '../media/hashing.js';
import { type DiscoveredImage, RepositoryDiscovery, type RepositoryDiscoveryOptions } from './repository-discovery.js';
import type { WatchDirectory } from './watch-directory.js';

type Event =
  | { type: 'discovered'; fileName: string; image: DiscoveredImage; at: number }
  | { type: 'removed'; fileName: string }
  | { type: 'refused'; fileName: string; reason: string }
  | { type: 'unavailable'; reason: string }
  | { type: 'available' };

/** qemu-img (Debian qemu-utils) and xorriso make the images; CI must have them, elsewhere their tests are skipped loudly. */
function toolsPresent(): boolean {
  const missing = ['qemu-img', 'xorriso'].filter((command) => spawnSync(command, ['--version'], { stdio: 'ignore' }).error);
  if (missing.length === 0) return true;
  const message = `${missing.join(' and ')} not installed (Debian packages qemu-utils, xorriso)`;
  if (process.env.CI === 'true') throw new Error(`${message}: CI must install them`);
  console.warn(`\n*** ${message}: the discovery test with real qcow2 and ISO images did NOT run ***\n`);
  return false;
}

function coreutilsDigest(command: 'md5sum' | 'sha512sum', path: string): string {
  return execFileSync(command, [path], { encoding: 'utf8' }).split(' ')[0];
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Above waitFor's own bound, so a wait that fails says what it waited for.
jest.setTimeout(15_000);

const log = pino({ level: 'silent' });
const pool = new HashingPool();

describe('RepositoryDiscovery', () => {
  let root: string;
  let repository: string;
  let cachePath: string;
  const running: RepositoryDiscovery[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'discovery-'));
    repository = join(root, 'repository');
    cachePath = join(root, 'discovery-cache.json');
    await mkdir(repository);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((discovery) => discovery.close()));
    await rm(root, { recursive: true, force: true });
  });

  afterAll(() => pool.close());

  function discover(options: Partial<RepositoryDiscoveryOptions> = {}) {
    const events: Event[] = [];
    const activity: string[] = [];
    const counter = { hashes: 0 };
    const discovery = new RepositoryDiscovery(
      {
        repositoryPath: repository,
        cachePath,
        hash: (file, signal) => {
          counter.hashes += 1;
          return pool.hashFileHandle(file, { signal });
        },
        listener: {
          onDiscovered: (image) => events.push({ type: 'discovered', fileName: image.fileName, image, at: Date.now() }),
          onRemoved: (fileName) => events.push({ type: 'removed', fileName }),
          onRefused: (fileName, reason) => events.push({ type: 'refused', fileName, reason }),
          onUnavailable: (reason) => events.push({ type: 'unavailable', reason }),
          onAvailable: () => events.push({ type: 'available' }),
          onActivity: (fileName) => activity.push(fileName),
        },
        settleMs: 300,
        pollIntervalMs: 25,
        repositoryCheckMs: 100,
        ...options,
      },
      log,
    );
    running.push(discovery);
    const discovered = (fileName: string) => events.filter((event) => event.type === 'discovered' && event.fileName === fileName).map((event) => (event as { image: DiscoveredImage }).image);
    const about = (fileName: string) => events.filter((event) => 'fileName' in event && event.fileName === fileName).map((event) => event.type);
    const hints = (fileName: string) => activity.filter((name) => name === fileName).length;
    return { discovery, events, counter, discovered, about, hints };
  }

  it('catalogues the images there at start and those dropped later, by content, with the hashes coreutils compute', async () => {
    if (!toolsPresent()) return;
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(repository, 'debian-12'), '3G']);
    await writeFile(join(repository, 'scratch.qcow2'), randomBytes(1024 * 1024 + 3));
    const { discovery, discovered } = discover();
    await discovery.start();
    expect(discovered('debian-12')).toEqual([expect.objectContaining({ diskFormat: 'qcow2', virtualSize: 3 * 2 ** 30 })]);
    expect(discovered('scratch.qcow2')).toEqual([expect.objectContaining({ diskFormat: 'raw', size: 1024 * 1024 + 3, virtualSize: 1024 * 1024 + 3 })]);

    await mkdir(join(root, 'iso'));
    await writeFile(join(root, 'iso', 'INSTALL.TXT'), 'install me\n');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', join(root, 'installer.iso'), join(root, 'iso')], { stdio: 'ignore' });
    await rename(join(root, 'installer.iso'), join(repository, 'installer'));
    await waitFor('the ISO', () => discovered('installer').length > 0);

    for (const name of ['debian-12', 'scratch.qcow2', 'installer']) {
      const path = join(repository, name);
      const stats = await lstat(path);
      expect(discovered(name)).toEqual([
        expect.objectContaining({ fileName: name, size: stats.size, dev: stats.dev, ino: stats.ino, mtimeMs: stats.mtimeMs, md5: coreutilsDigest('md5sum', path), sha512: coreutilsDigest('sha512sum', path) }),
      ]);
    }
    expect(discovered('installer')[0].diskFormat).toBe('iso');
  });

  it('never reads the agent\'s own files, but still hints at activity on them', async () => {
    await writeFile(join(repository, 'own-image-id'), randomBytes(4096));
    await writeFile(join(repository, 'dropped.img'), randomBytes(4096));
    const { discovery, discovered, counter, hints } = discover({ isOwnFile: (name: string) => name === 'own-image-id' });
    await discovery.start();
    expect(discovered('dropped.img')).toHaveLength(1);
    expect(discovered('own-image-id')).toEqual([]);
    expect(counter.hashes).toBe(1);
    await writeFile(join(repository, 'own-image-id'), randomBytes(10));
    await waitFor('an activity hint on the own file', () => hints('own-image-id') > 0);
    expect(counter.hashes).toBe(1);
  });

  it('hints at activity on an entry when only its permissions change', async () => {
    await writeFile(join(repository, 'disk.raw'), randomBytes(4096));
    const { discovery, discovered, about, hints } = discover();
    await discovery.start();
    expect(discovered('disk.raw')).toHaveLength(1);
    const before = hints('disk.raw');
    await chmod(join(repository, 'disk.raw'), 0o600);
    await waitFor('an activity hint', () => hints('disk.raw') > before);
    expect(about('disk.raw')).toEqual(['discovered']);
  });

  it('catalogues a file written slowly once, after it is complete, with the final hashes', async () => {
    const { discovery, events, discovered, counter } = discover({ settleMs: 600 });
    await discovery.start();
    const path = join(repository, 'slow.raw');
    const content: Buffer[] = [];
    let lastWrite = 0;
    for (let index = 0; index < 30; index++) {
      const chunk = randomBytes(64 * 1024);
      content.push(chunk);
      await appendFile(path, chunk);
      lastWrite = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await waitFor('the slow file', () => discovered('slow.raw').length > 0);
    const [image] = discovered('slow.raw');
    const reported = events.filter((event) => event.type === 'discovered');
    expect(reported).toHaveLength(1);
    expect(reported[0].type === 'discovered' && reported[0].at).toBeGreaterThanOrEqual(lastWrite + 600);
    expect(counter.hashes).toBe(1);
    expect(image.size).toBe(30 * 64 * 1024);
    expect(image.sha512).toBe(coreutilsDigest('sha512sum', path));
    expect(image.sha512).toBe(createHash('sha512').update(Buffer.concat(content)).digest('hex'));
  });

  it('ignores temporary names, and catalogues a .part file once it is renamed to its final name', async () => {
    for (const name of ['.upload-1234.part', '.hidden', 'copying.part', 'COPYING2.PART', 'scratch.tmp', 'backup~']) await writeFile(join(repository, name), 'x');
    await writeFile(join(repository, 'final.img'), 'final');
    const { discovery, events, discovered } = discover();
    await discovery.start();
    expect(events).toEqual([expect.objectContaining({ type: 'discovered', fileName: 'final.img' })]);
    await rename(join(repository, 'copying.part'), join(repository, 'copied.img'));
    await waitFor('the renamed file', () => discovered('copied.img').length > 0);
    expect(events.map((event) => 'fileName' in event && event.fileName)).toEqual(['final.img', 'copied.img']);
  });

  it('reports a removed file, and hashes a replaced or rewritten one again, withdrawing the old hashes first', async () => {
    for (const name of ['gone.img', 'replaced.img', 'rewritten.img']) await writeFile(join(repository, name), `old ${name}`);
    const { discovery, discovered, about } = discover();
    await discovery.start();
    const before = discovered('replaced.img')[0];

    await rm(join(repository, 'gone.img'));
    await writeFile(join(root, 'new-version'), 'the new content of replaced.img');
    await rename(join(root, 'new-version'), join(repository, 'replaced.img'));
    await writeFile(join(repository, 'rewritten.img'), 'rewritten, longer than before');

    await waitFor('the removal', () => about('gone.img').includes('removed'));
    await waitFor('the replacement', () => discovered('replaced.img').length === 2);
    await waitFor('the rewrite', () => discovered('rewritten.img').length === 2);
    expect(about('gone.img')).toEqual(['discovered', 'removed']);
    expect(about('replaced.img')).toEqual(['discovered', 'removed', 'discovered']);
    expect(about('rewritten.img')).toEqual(['discovered', 'removed', 'discovered']);
    const after = discovered('replaced.img')[1];
    expect(after.ino).not.toBe(before.ino);
    expect(after.sha512).toBe(coreutilsDigest('sha512sum', join(repository, 'replaced.img')));
    expect(discovered('rewritten.img')[1].sha512).toBe(coreutilsDigest('sha512sum', join(repository, 'rewritten.img')));

    await discovery.close();
    const cache = JSON.parse(await readFile(cachePath, 'utf8')) as { files: Record<string, { sha512: string }> };
    expect(Object.keys(cache.files).sort()).toEqual(['replaced.img', 'rewritten.img']);
    expect(cache.files['replaced.img'].sha512).toBe(after.sha512);
  });

  it('refuses symlinks, FIFOs, directories and bad names without opening them; a hard link is a file', async () => {
    const outside = join(root, 'outside');
    await mkdir(outside);
    execFileSync('mkfifo', [join(outside, 'fifo')]);
    execFileSync('mkfifo', [join(repository, 'pipe')]);
    await symlink(join(outside, 'fifo'), join(repository, 'to-fifo'));
    await symlink('/etc/shadow', join(repository, 'shadow'));
    await mkdir(join(repository, 'nested'));
    await writeFile(join(repository, 'nested', 'inner.img'), 'not scanned');
    await writeFile(join(outside, 'linked'), 'hard-linked content');
    await link(join(outside, 'linked'), join(repository, 'hard-link.img'));
    await writeFile(join(repository, 'bell\u0007.img'), 'x');
    await writeFile(Buffer.concat([Buffer.from(`${repository}/latin1-`), Buffer.from([0xe9]), Buffer.from('.img')]), 'x');

    const { discovery, events, counter } = discover();
    await discovery.start();
    const refused = Object.fromEntries(events.filter((event) => event.type === 'refused').map((event) => [event.fileName, event.reason]));
    expect(refused).toEqual({
      'to-fifo': `symlink to ${join(outside, 'fifo')} refused`,
      shadow: 'symlink to /etc/shadow refused',
      pipe: 'FIFO refused',
      nested: 'directory refused: the repository is flat, subdirectories are not scanned',
      'bell\u0007.img': 'file name contains control characters',
      'latin1-\uFFFD.img': 'file name is not valid UTF-8',
    });
    expect(events.filter((event) => event.type === 'discovered').map((event) => 'fileName' in event && event.fileName)).toEqual(['hard-link.img']);
    expect(counter.hashes).toBe(1);

    await rm(join(repository, 'shadow'));
    await writeFile(join(repository, 'shadow'), 'a regular file now');
    await waitFor('the symlink turned file', () => events.some((event) => event.type === 'discovered' && event.fileName === 'shadow'));
    expect(events.filter((event) => 'fileName' in event && event.fileName === 'shadow').map((event) => event.type)).toEqual(['refused', 'removed', 'discovered']);
  });

  it('restarts from the cache without hashing unchanged files, hashes changed ones and drops stale entries', async () => {
    for (const name of ['kept.img', 'changed.img', 'deleted.img']) await writeFile(join(repository, name), randomBytes(100_000));
    const first = discover();
    await first.discovery.start();
    expect(first.counter.hashes).toBe(3);
    await first.discovery.close();

    await appendFile(join(repository, 'changed.img'), 'more');
    await rm(join(repository, 'deleted.img'));
    const second = discover();
    await second.discovery.start();
    expect(second.counter.hashes).toBe(1);
    expect(second.discovered('kept.img')).toEqual(first.discovered('kept.img'));
    expect(second.discovered('changed.img')).toEqual([expect.objectContaining({ size: 100_004, sha512: coreutilsDigest('sha512sum', join(repository, 'changed.img')) })]);
    expect(second.about('deleted.img')).toEqual([]);
    await second.discovery.close();
    const cache = JSON.parse(await readFile(cachePath, 'utf8')) as { files: Record<string, unknown> };
    expect(Object.keys(cache.files).sort()).toEqual(['changed.img', 'kept.img']);
  });

  it('starts afresh from a damaged cache', async () => {
    await writeFile(cachePath, '{"version":1,"files":');
    await writeFile(join(repository, 'a.img'), 'a');
    const { discovery, counter, discovered } = discover();
    await discovery.start();
    expect(discovered('a.img')).toHaveLength(1);
    expect(counter.hashes).toBe(1);
  });

  it('reports the repository unavailable when it is removed or replaced by a symlink, and rescans it when it is back', async () => {
    await writeFile(join(repository, 'before.img'), 'before');
    const { discovery, events, discovered } = discover();
    await discovery.start();

    await rm(repository, { recursive: true });
    await waitFor('unavailable', () => events.some((event) => event.type === 'unavailable'));
    await waitFor('the file withdrawn', () => events.some((event) => event.type === 'removed'));
    // In either order: the watcher may report the file gone before the directory check does.
    expect(events.slice(1)).toHaveLength(2);
    expect(events.slice(1)).toEqual(expect.arrayContaining([
      { type: 'unavailable', reason: 'the repository directory does not exist' },
      { type: 'removed', fileName: 'before.img' },
    ]));

    await mkdir(join(root, 'elsewhere'));
    await symlink(join(root, 'elsewhere'), repository);
    const symlinkReason = `the repository path is a symlink (to ${join(root, 'elsewhere')}), not a directory: refused`;
    await waitFor('the symlink reported', () => events.some((event) => event.type === 'unavailable' && event.reason === symlinkReason));

    await rm(repository);
    await mkdir(repository);
    await writeFile(join(repository, 'after.img'), 'after');
    await writeFile(join(repository, 'before.img'), 'before');
    await waitFor('the rescan', () => discovered('after.img').length > 0 && discovered('before.img').length > 1);
    expect(events.slice(3).map((event) => event.type)).toEqual(['unavailable', 'available', 'discovered', 'discovered']);
  });

  it('reports a repository that does not exist at start, and catalogues it once created', async () => {
    await rm(repository, { recursive: true });
    const { discovery, events, discovered } = discover();
    await discovery.start();
    expect(events).toEqual([{ type: 'unavailable', reason: 'the repository directory does not exist' }]);
    await mkdir(repository);
    await writeFile(join(repository, 'late.img'), 'late');
    await waitFor('the late file', () => discovered('late.img').length > 0);
    expect(events.map((event) => event.type)).toEqual(['unavailable', 'available', 'discovered']);
  });

  it('hashes again a file that changed while it was hashed, and reports only the final content', async () => {
    await writeFile(join(repository, 'moving.img'), 'first');
    const { discovery, discovered, counter } = discover({
      hash: async (file, signal) => {
        counter.hashes += 1;
        if (counter.hashes === 1) await appendFile(join(repository, 'moving.img'), ' and more');
        return pool.hashFileHandle(file, { signal });
      },
    });
    await discovery.start();
    expect(counter.hashes).toBe(2);
    expect(discovered('moving.img')).toEqual([expect.objectContaining({ size: 14, sha512: coreutilsDigest('sha512sum', join(repository, 'moving.img')) })]);
  });

  it('finds files its watcher never reported, on the periodic rescan', async () => {
    const closed = { count: 0 };
    const silentWatcher: WatchDirectory = async () => async () => {
      closed.count += 1;
    };
    const { discovery, discovered } = discover({ watch: silentWatcher, rescanIntervalMs: 200 });
    await discovery.start();
    await writeFile(join(repository, 'unannounced.img'), 'surprise');
    await waitFor('the rescan', () => discovered('unannounced.img').length > 0);
    await discovery.close();
    expect(closed.count).toBe(1);
  });

  it('finds files whose events were lost within a second of any activity, long before the periodic rescan', async () => {
    let announce: (name: string) => void = () => undefined;
    const lossyWatcher: WatchDirectory = async (_directory, handlers) => {
      announce = (name) => handlers.onEntry(name);
      return async () => undefined;
    };
    const { discovery, discovered } = discover({ watch: lossyWatcher, rescanIntervalMs: 600_000 });
    await discovery.start();
    await writeFile(join(repository, 'announced.img'), 'announced');
    await writeFile(join(repository, 'lost-event.img'), 'its event was dropped');
    announce('announced.img');
    await waitFor('the file whose event was lost', () => discovered('lost-event.img').length > 0);
    expect(discovered('announced.img')).toHaveLength(1);
  });
});
