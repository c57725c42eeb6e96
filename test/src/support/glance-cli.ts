import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GLANCE = '/usr/bin/glance';

/** True when Debian's glance CLI is installed. Without it the tests say loudly that they did not run; with CI=true that is a failure. */
export function glanceAvailable(): boolean {
  if (existsSync(GLANCE)) return true;
  if (process.env.CI === 'true') throw new Error(`${GLANCE} is missing: apt-get install python3-glanceclient (.ci/run does)`);
  console.warn(`\n*** ${GLANCE} is missing: the glance client tests DID NOT RUN (apt-get install python3-glanceclient) ***\n`);
  return false;
}

export interface GlanceResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the real glance CLI against one host, with its own home directory (the schema cache) kept between calls. */
export class GlanceCli {
  readonly home = mkdtempSync(join(tmpdir(), 'imagelib-glance-home-'));

  constructor(readonly token: string) {}

  run(url: string, ...args: string[]): GlanceResult {
    // stdin closed ('ignore'): glanceclient treats a non-terminal stdin as image data.
    const result = spawnSync(GLANCE, args, {
      env: { PATH: process.env.PATH, HOME: this.home, OS_IMAGE_URL: url, OS_AUTH_TOKEN: this.token, OS_IMAGE_API_VERSION: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  ok(url: string, ...args: string[]): string {
    const result = this.run(url, ...args);
    if (result.status !== 0) throw new Error(`glance ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
    return result.stdout;
  }
}

/** The value column of a glance property table row. */
export function tableValue(table: string, property: string): string | undefined {
  const row = table.split('\n').find((line) => new RegExp(`^\\|\\s*${property}\\s*\\|`).test(line));
  return row?.split('|')[2]?.trim();
}
