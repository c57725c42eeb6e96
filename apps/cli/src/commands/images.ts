import type { DownloadResult, ImageDocument, ImageFields, ImageLibraryClient, TransferOptions } from '@imagelib/client';
import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { ImageView } from '../api-types.js';
import type { CliContext, Session } from '../cli-context.js';
import type { Paint } from '../color.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes, renderFields, renderTable } from '../format.js';
import { collectProperty } from '../option-parsers.js';
import { findImage } from '../refs.js';
import { paintStatus } from '../status-view.js';

const DISK_FORMAT_BY_EXTENSION: Record<string, string> = {
  '.qcow2': 'qcow2',
  '.raw': 'raw',
  '.vmdk': 'vmdk',
  '.vhd': 'vhd',
  '.vhdx': 'vhdx',
  '.vdi': 'vdi',
  '.iso': 'iso',
};

/** The disk format a file name tells (`cirros.qcow2` → qcow2), or null (`.img` may be anything). */
export function diskFormatFromName(fileName: string): string | null {
  return DISK_FORMAT_BY_EXTENSION[extname(fileName).toLowerCase()] ?? null;
}

/** `ok 2/3` — on how many hosts that report the image it is ok. */
export function renderAvailability(image: ImageView, paint: Paint): string {
  const ok = image.hosts.filter((h) => h.status === 'ok').length;
  const text = `ok ${ok}/${image.hosts.length}`;
  if (image.hosts.length === 0) return paint('dim', text);
  return paint(ok === image.hosts.length ? 'green' : ok === 0 ? 'red' : 'yellow', text);
}

export function renderImageList(images: readonly ImageView[], paint: Paint): string {
  if (images.length === 0) return 'no images (imagelib images upload FILE)\n';
  const rows = [...images]
    .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.id.localeCompare(b.id))
    .map((image) => [
      image.name ?? '(no name)',
      image.id,
      image.status,
      image.diskFormat ?? '-',
      image.size === null ? '-' : formatBytes(image.size),
      image.visibility,
      renderAvailability(image, paint),
    ]);
  return renderTable(['NAME', 'ID', 'STATUS', 'FORMAT', 'SIZE', 'VISIBILITY', 'HOSTS'], rows);
}

export function renderImage(image: ImageView, paint: Paint): string {
  const text = renderFields([
    ['name', image.name ?? '(no name)'],
    ['id', image.id],
    ['status', image.status],
    ['disk format', image.diskFormat ?? '-'],
    ['container format', image.containerFormat ?? '-'],
    ['size', image.size === null ? '-' : `${formatBytes(image.size)} (${image.size} bytes)`],
    ['virtual size', image.virtualSize === null ? '-' : formatBytes(image.virtualSize)],
    ['visibility', image.visibility],
    ['protected', image.protected ? 'yes' : 'no'],
    ['md5', image.checksum ?? '-'],
    ['sha512', image.osHashValue ?? '-'],
    ['file', image.fileName ?? '-'],
    ['created', image.createdAt],
    ['updated', image.updatedAt],
  ]);
  const hosts = image.hosts.length
    ? renderTable(
        ['HOST', 'STATUS', 'REASON'],
        image.hosts.map((h) => [h.hostname, paintStatus(h.status, paint), h.reason || '-']),
      )
    : '  no image-library hosts\n';
  return `${text}\nOn hosts (${renderAvailability(image, paint)}):\n${hosts}`;
}

export function renderUploaded(image: ImageDocument): string {
  return `uploaded image ${image.id} (${image.name ?? 'no name'}): ${image.status}, ${formatBytes(image.size ?? 0)}, sha512 ${image.os_hash_value ?? '-'}\n`;
}

/** What was written where, checked against what, and which hosts served which bytes. */
export function renderDownloaded(result: DownloadResult, destination: string, hostOf: (url: string) => string): string {
  const check = result.hashAlgo ? `${result.hashAlgo} ${result.hashValue} verified` : 'no hash to verify';
  const served = result.segments.map((s) => `${hostOf(s.url)} bytes ${s.from}-${s.to - 1}`).join(', ') || 'nothing (empty image)';
  const resumed = result.resumes + result.restarts > 0 ? ` (resumed ${result.resumes}×, restarted ${result.restarts}×)` : '';
  return `downloaded image ${result.image.id} (${result.image.name ?? 'no name'}) to ${destination}: ${formatBytes(result.bytes)}, ${check}\nserved by ${served}${resumed}\n`;
}

/** `host-a (http://10.0.0.5:9292)`, or the URL when the controller did not name the host. */
function hostLabel(client: ImageLibraryClient, url: string): string {
  const hostname = client.endpoints().find((e) => e.url === url)?.hostname;
  return hostname ? `${hostname} (${url})` : url;
}

/** Runs a transfer with a progress display and a note for every host that failed on the way. */
async function transfer<T>(cx: CliContext, client: ImageLibraryClient, label: string, run: (options: TransferOptions) => Promise<T>): Promise<T> {
  const progress = cx.progress(label);
  let done = 0;
  try {
    const result = await run({
      signal: cx.signal,
      onProgress: (bytes, total) => {
        done = bytes;
        progress.update(bytes, total);
      },
      onRetry: (failed) => progress.note(`${hostLabel(client, failed.url)} failed (${failed.outcome}); going on with another host at ${formatBytes(done)}`),
    });
    progress.finish();
    return result;
  } catch (error) {
    progress.abandon();
    throw error;
  }
}

interface UploadOptions {
  name?: string;
  diskFormat?: string;
  containerFormat: string;
  visibility?: string;
  property?: Record<string, string>;
  json?: boolean;
}

async function upload(cx: CliContext, file: string, options: UploadOptions): Promise<void> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(ExitCode.Usage, `cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  if (!info.isFile()) throw new CliError(ExitCode.Usage, `${file} is not a regular file`);
  const diskFormat = options.diskFormat ?? diskFormatFromName(file);
  if (!diskFormat) throw new CliError(ExitCode.Usage, `cannot tell the disk format of ${file} from its name: give --disk-format (qcow2, raw, vmdk, vhd, vhdx, vdi, iso, …)`);
  const name = options.name ?? basename(file);
  const fields: ImageFields = {
    ...options.property,
    name,
    disk_format: diskFormat,
    container_format: options.containerFormat,
    ...(options.visibility ? { visibility: options.visibility as ImageFields['visibility'] } : {}),
  };
  const client = await cx.imageClient();
  const image = await transfer(cx, client, `upload ${name}`, (callbacks) => client.uploadImage(fields, file, callbacks));
  cx.show(image, options.json, () => renderUploaded(image));
}

async function download(cx: CliContext, ref: string, options: { output?: string; json?: boolean }): Promise<void> {
  const toStdout = options.output === undefined || options.output === '-';
  if (toStdout && cx.io.stdout.isTTY) throw new CliError(ExitCode.Usage, 'give -o FILE (or redirect stdout): image data is not written to a terminal');
  const image = findImage(await cx.api.listImages(), ref);
  const client = await cx.imageClient();
  const result = await transfer(cx, client, `download ${image.name ?? image.id}`, (callbacks) => client.downloadImage(image.id, toStdout ? cx.io.stdout : options.output!, callbacks));
  const destination = toStdout ? 'stdout' : options.output!;
  // With the data on stdout the summary goes to stderr.
  const write = (text: string) => (toStdout ? cx.io.stderr.write(text) : cx.print(text));
  if (options.json) write(`${JSON.stringify({ ...summaryOf(result), destination }, null, 2)}\n`);
  else write(renderDownloaded(result, destination, (url) => hostLabel(client, url)));
}

/** The download result for --json, without the whole image document. */
function summaryOf(result: DownloadResult) {
  const { image, ...rest } = result;
  return { id: image.id, name: image.name, ...rest };
}

export function registerImageCommands(program: Command, session: Session): void {
  const images = program.command('images').description('the image catalog, and image data through the image hosts (with failover)');

  images
    .command('list')
    .description('every image with its status and on how many hosts it is ok')
    .option('--json', 'print the images as JSON (GET /api/v1/images, with each host\'s status)')
    .action(async (options: { json?: boolean }) => {
      const cx = session();
      const list = await cx.api.listImages();
      cx.show(list, options.json, () => renderImageList(list, cx.paint));
    });

  images
    .command('show')
    .description('one image and its status on every image-library host')
    .argument('<image>', 'image id or name')
    .option('--json', 'print the image as JSON (GET /api/v1/images/{id})')
    .action(async (ref: string, options: { json?: boolean }) => {
      const cx = session();
      const { id } = findImage(await cx.api.listImages(), ref);
      const image = await cx.api.getImage(id);
      cx.show(image, options.json, () => renderImage(image, cx.paint));
    });

  images
    .command('upload')
    .description('create an image and upload FILE to an image host (another host takes over when one refuses before committing)')
    .argument('<file>', 'the image file')
    .option('--name <name>', 'image name (default: the file name)')
    .option('--disk-format <format>', 'qcow2, raw, vmdk, vhd, vhdx, vdi, iso, … (default: from the file name)')
    .option('--container-format <format>', 'bare, ovf, ova, …', 'bare')
    .option('--visibility <visibility>', 'public, private, shared or community (default shared)')
    .option('--property <key=value>', 'a custom property; repeat for more', collectProperty)
    .option('--json', 'print the image document (Glance v2) as JSON')
    .action((file: string, options: UploadOptions) => upload(session(), file, options));

  images
    .command('download')
    .description("download an image's data, resuming on another host when one fails; size and sha512 are verified")
    .argument('<image>', 'image id or name')
    .option('-o, --output <file>', 'write to FILE (written beside it and renamed when complete); "-" or none: stdout, when it is not a terminal')
    .option('--json', 'print the result as JSON (bytes, hash, which hosts served which bytes); on stderr when the data goes to stdout')
    .action((ref: string, options: { output?: string; json?: boolean }) => download(session(), ref, options));

  images
    .command('delete')
    .description('delete an image (its files are removed from every host)')
    .argument('<image>', 'image id or name')
    .action(async (ref: string) => {
      const cx = session();
      const image = findImage(await cx.api.listImages(), ref);
      const client = await cx.imageClient();
      await client.deleteImage(image.id, { signal: cx.signal });
      cx.print(`deleted image ${image.id} (${image.name ?? 'no name'})\n`);
    });
}
