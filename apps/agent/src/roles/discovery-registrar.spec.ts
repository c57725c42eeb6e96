import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { GlanceError, type ImageRecord } from '@imagelib/glance';
import type { DiscoveredFile } from '@imagelib/proto';
import { pino } from 'pino';
import type { RegisteredFile } from '../catalog/catalog-client.js';
import type { DiscoveredImage } from '../discovery/repository-discovery.js';
import { DiscoveryRegistrar, FILES_PER_CALL } from './discovery-registrar.js';

const log = pino({ level: 'silent' });

function found(fileName: string, sha512 = 'a'.repeat(128)): DiscoveredImage {
  return { fileName, dev: 1, ino: 1, size: 4096, mtimeMs: 1, md5: '0'.repeat(32), sha512, diskFormat: 'raw', virtualSize: 4096 };
}

/** A controller that answers each call when told to, cataloguing every file but those named "bad*". */
class FakeController {
  readonly calls: string[][] = [];
  private answers: Array<(error?: Error) => void> = [];

  registerDiscoveredFiles = (files: DiscoveredFile[]): Promise<RegisteredFile[]> => {
    this.calls.push(files.map((file) => file.fileName!));
    return new Promise((resolve, reject) => {
      this.answers.push((error) => {
        if (error) return reject(error);
        resolve(files.map((file) => (file.fileName!.startsWith('bad') ? { fileName: file.fileName!, refusal: 'invalid file name' } : { fileName: file.fileName!, image: { id: `id-${file.fileName}`, fileName: file.fileName } as ImageRecord })));
      });
    });
  };

  /** Answers the oldest call, then lets the registrar go on. */
  async answer(error?: Error): Promise<void> {
    this.answers.shift()!(error);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}

describe('DiscoveryRegistrar', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sends the first file at once and what was found meanwhile in the next calls, at most FILES_PER_CALL each', async () => {
    const controller = new FakeController();
    const registered: string[][] = [];
    const registrar = new DiscoveryRegistrar({ writes: controller, isCatalogued: () => false, onRegistered: (images) => registered.push(images.map((image) => image.id)) }, log);
    registrar.add(found('first.raw'));
    for (let i = 0; i < FILES_PER_CALL + 10; i++) registrar.add(found(`f${i}.raw`));
    registrar.add(found('bad.raw'));
    expect(controller.calls).toEqual([['first.raw']]);
    await controller.answer();
    expect(controller.calls[1]).toHaveLength(FILES_PER_CALL);
    await controller.answer();
    expect(controller.calls[2]).toEqual([...Array.from({ length: 10 }, (_, i) => `f${FILES_PER_CALL + i}.raw`), 'bad.raw']);
    await controller.answer();
    expect(controller.calls).toHaveLength(3);
    expect(registered.map((ids) => ids.length)).toEqual([1, FILES_PER_CALL, 10]);
    registrar.close();
  });

  it('does not send files the local catalog has as they are, nor files withdrawn before their turn', async () => {
    const controller = new FakeController();
    const registrar = new DiscoveryRegistrar({ writes: controller, isCatalogued: (image) => image.fileName.startsWith('known'), onRegistered: () => undefined }, log);
    registrar.add(found('known.raw'));
    expect(controller.calls).toEqual([]);
    registrar.add(found('a.raw'));
    registrar.add(found('b.raw'));
    registrar.add(found('c.raw'));
    registrar.withdraw('b.raw');
    registrar.add(found('c.raw', 'c'.repeat(128)));
    await controller.answer();
    expect(controller.calls).toEqual([['a.raw'], ['c.raw']]);
    registrar.close();
  });

  it('keeps the files while the controller cannot be reached and sends them when it can', async () => {
    jest.useFakeTimers();
    const controller = new FakeController();
    const registrar = new DiscoveryRegistrar({ writes: controller, isCatalogued: () => false, onRegistered: () => undefined }, log);
    registrar.add(found('a.raw'));
    registrar.add(found('b.raw'));
    await controller.answer(new GlanceError(503, 'The image catalog is unreachable'));
    expect(controller.calls).toEqual([['a.raw']]);
    await jest.advanceTimersByTimeAsync(2000);
    expect(controller.calls).toEqual([['a.raw'], ['a.raw', 'b.raw']]);
    await controller.answer(new GlanceError(400, 'at most 1000 files per call'));
    expect(controller.calls).toHaveLength(2);
    registrar.close();
  });
});
