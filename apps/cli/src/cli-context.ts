import type { ImageLibraryClient } from '@imagelib/client';
import { colorEnabled, type Paint, painter } from './color.js';
import type { CliConfig } from './config.js';
import { ControllerApi } from './controller-api.js';
import { renderJson } from './format.js';
import { openImageClient } from './image-session.js';
import { startProgress, type TransferProgress } from './progress.js';

/** The process around the CLI: streams, environment, home directory, and the signal Ctrl-C fires. */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  homeDir: string;
  signal: AbortSignal;
}

/** Longest wait for one answer of the controller. */
const CONTROLLER_TIMEOUT_MS = 30_000;

/** What a command runs with once the configuration is resolved: the APIs and the terminal. */
export class CliContext {
  readonly api: ControllerApi;
  /** Colours for stdout. */
  readonly paint: Paint;
  private imageClientPromise: Promise<ImageLibraryClient> | null = null;

  constructor(
    readonly io: CliIo,
    readonly config: CliConfig,
    colorFlag: boolean,
  ) {
    this.api = new ControllerApi({ url: config.controllerUrl, token: config.token, timeoutMs: CONTROLLER_TIMEOUT_MS, signal: io.signal });
    this.paint = painter(colorEnabled({ env: io.env, isTTY: io.stdout.isTTY === true, flag: colorFlag }));
  }

  get signal(): AbortSignal {
    return this.io.signal;
  }

  print(text: string): void {
    this.io.stdout.write(text);
  }

  /** The document as JSON with --json, else the text made of it. */
  show(document: unknown, json: boolean | undefined, text: () => string): void {
    this.print(json ? renderJson(document) : text());
  }

  /** Progress on stderr: a bar on a terminal, plain lines otherwise. */
  progress(label: string): TransferProgress {
    return startProgress({ label, stream: this.io.stderr, tty: this.io.stderr.isTTY === true });
  }

  /** The failover client for image data, made once per run. */
  imageClient(): Promise<ImageLibraryClient> {
    this.imageClientPromise ??= openImageClient(this.api, this.config);
    return this.imageClientPromise;
  }
}

/** The context of the command being run (resolved before its action). */
export type Session = () => CliContext;
