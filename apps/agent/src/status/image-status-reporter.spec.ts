import { describe, expect, it } from '@jest/globals';
import type { ImageRecord } from '@imagelib/glance';
import type { ImageStatusReport } from '@imagelib/proto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { CorruptFiles } from './corrupt-files.js';
import { ImageStatusReporter, STATUSES_PER_REPORT } from './image-status-reporter.js';

const record = (id: string): ImageRecord => ({
  id, name: id, status: 'active', visibility: 'public', protected: false, osHidden: false, diskFormat: 'raw', containerFormat: 'bare',
  size: 3, virtualSize: 3, checksum: null, osHashAlgo: null, osHashValue: null, minRam: 0, minDisk: 0, owner: null, tags: [], properties: {},
  createdAt: '', updatedAt: '', fileName: `${id}.raw`,
});

function setUp(count: number) {
  const repositoryPath = mkdtempSync(join(tmpdir(), 'imagelib-reporter-'));
  const images = new Map(Array.from({ length: count }, (_, i) => record(`i${i}`)).map((image) => [image.id, image]));
  for (const image of images.values()) writeFileSync(join(repositoryPath, image.fileName!), 'abc');
  const sent: ImageStatusReport[] = [];
  const reporter = new ImageStatusReporter(
    {
      repositoryPath,
      images: () => [...images.values()],
      image: (id) => images.get(id),
      corrupt: new CorruptFiles(),
      unusable: () => '',
      send: (report) => sent.push(report) > 0,
    },
    pino({ level: 'silent' }),
  );
  const summary = () => sent.map((report) => ({ complete: report.complete, more: report.more, statuses: report.statuses!.length }));
  return { repositoryPath, images, sent, reporter, summary };
}

describe('ImageStatusReporter', () => {
  it('reports everything in messages of at most STATUSES_PER_REPORT, each but the last saying more follows', async () => {
    const { repositoryPath, reporter, summary, sent } = setUp(STATUSES_PER_REPORT * 2 + 7);
    await reporter.reportAll();
    expect(summary()).toEqual([
      { complete: true, more: true, statuses: STATUSES_PER_REPORT },
      { complete: true, more: true, statuses: STATUSES_PER_REPORT },
      { complete: true, more: false, statuses: 7 },
    ]);
    expect(sent.flatMap((report) => report.statuses!).every((status) => status.state === 'IMAGE_HOST_STATE_OK')).toBe(true);
    rmSync(repositoryPath, { recursive: true });
  });

  it('makes one round of checks and one report of the rechecks asked for together, and sends only changes', async () => {
    const { repositoryPath, reporter, summary, sent } = setUp(3);
    await reporter.reportAll();
    sent.length = 0;
    rmSync(join(repositoryPath, 'i0.raw'));
    rmSync(join(repositoryPath, 'i2.raw'));
    await Promise.all([reporter.recheck(['i0']), reporter.recheck(['i1']), reporter.recheck(['i2', 'gone'])]);
    expect(summary()).toEqual([{ complete: false, more: false, statuses: 2 }]);
    // The checks run at once: the report lists them in the order they ended.
    expect(sent[0]!.statuses!.map((status) => [status.imageId, status.state]).sort()).toEqual([
      ['i0', 'IMAGE_HOST_STATE_MISSING'],
      ['i2', 'IMAGE_HOST_STATE_MISSING'],
    ]);
    expect(reporter.status('i0')?.state).toBe('missing');
    await reporter.recheck();
    expect(sent).toHaveLength(1);
    rmSync(repositoryPath, { recursive: true });
  });

  it('leaves images checked lately out of a round for stale ones', async () => {
    const { repositoryPath, reporter, sent } = setUp(3);
    await reporter.reportAll();
    sent.length = 0;
    rmSync(join(repositoryPath, 'i1.raw'));
    await reporter.recheckStale(60_000);
    expect(sent).toEqual([]);
    await reporter.recheckStale(0);
    expect(sent.flatMap((report) => report.statuses!.map((status) => [status.imageId, status.state]))).toEqual([['i1', 'IMAGE_HOST_STATE_MISSING']]);
    rmSync(repositoryPath, { recursive: true });
  });
});
