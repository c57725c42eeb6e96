#!/usr/bin/env node
import { homedir } from 'node:os';
import { CliError, exitCodeFor, failureMessage } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { buildProgram } from './program.js';

const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort(new CliError(ExitCode.Interrupted, 'interrupted'));
  // A second Ctrl-C does not wait for the transfer to wind down.
  process.once('SIGINT', () => process.exit(ExitCode.Interrupted));
});

const program = buildProgram({ stdout: process.stdout, stderr: process.stderr, env: process.env, homeDir: homedir(), signal: interrupt.signal });
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = failureMessage(error);
  if (message !== null) process.stderr.write(`imagelib: ${message}\n`);
  // Not process.exit(): stdout may still be flushing into a pipe.
  process.exitCode = exitCodeFor(error);
}
