// A benchmark module run by itself (`node tools/bench/<name>.mjs`) instead of through run.mjs.
import { fileURLToPath } from 'node:url';
import { killAllChildren } from './children.mjs';
import { machine } from './proc.mjs';

/**
 * When the module at `moduleUrl` is the program node was started with: runs `benchmark()`, prints
 * the machine and the outcome as JSON, then the markdown section; exit code 0 when it met its targets.
 */
export function runWhenMain(moduleUrl, name, benchmark) {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  benchmark()
    .then((outcome) => {
      process.stdout.write(`${JSON.stringify({ machine: machine(), ...outcome, markdown: undefined }, null, 2)}\n${outcome.markdown}\n`);
      process.exitCode = outcome.ok ? 0 : 1;
    })
    .catch((error) => {
      process.stderr.write(`${name}: ${error instanceof Error ? error.stack : String(error)}\n`);
      killAllChildren();
      process.exitCode = 1;
    });
}
