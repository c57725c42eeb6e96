import { describe, expect, it } from '@jest/globals';
import { CommanderError } from 'commander';
import { Writable } from 'node:stream';
import { exitCodeFor } from './errors.js';
import { buildProgram } from './program.js';

function capture(): NodeJS.WriteStream & { text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return Object.assign(stream, { text: () => text }) as unknown as NodeJS.WriteStream & { text: () => string };
}

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const program = buildProgram({ stdout, stderr, env: {}, homeDir: '/home/op', signal: new AbortController().signal });
  let code = 0;
  try {
    await program.parseAsync(['node', 'imagelib', ...args]);
  } catch (error) {
    if (!(error instanceof CommanderError) && !(error instanceof Error)) throw error;
    code = exitCodeFor(error);
  }
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('the command tree', () => {
  it('has --help on every command, and the root help documents configuration and exit statuses', async () => {
    const root = await run('--help');
    expect(root.code).toBe(0);
    expect(root.stdout).toContain('default /home/op/.config/imagelib/config.json');
    expect(root.stdout).toMatch(/Exit status:\n +0 {2}success\n/);
    for (const command of [
      ['hosts', 'list'],
      ['hosts', 'show'],
      ['role', 'assign'],
      ['role', 'remove'],
      ['role', 'drain'],
      ['join-token', 'create'],
      ['endpoints'],
      ['images', 'list'],
      ['images', 'show'],
      ['images', 'upload'],
      ['images', 'download'],
      ['images', 'delete'],
      ['status'],
    ]) {
      const help = await run(...command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: imagelib ${command.join(' ')}`);
      if (command.join(' ') !== 'images delete') expect(help.stdout).toContain('--json');
    }
  });

  it('answers bad usage with exit status 2 before any configuration is needed', async () => {
    const unknown = await run('hosts', 'list', '--bogus');
    expect(unknown).toMatchObject({ code: 2, stderr: "error: unknown option '--bogus'\n(add --help for usage)\n" });
    expect((await run('role', 'assign', 'host-a', '--port', '99999')).stderr).toContain('99999 is not between 1 and 65535');
    expect((await run('images', 'download')).code).toBe(2);
    expect((await run('nonsense')).code).toBe(2);
  });

  it('checks the configuration once, before the action', async () => {
    const result = await run('hosts', 'list');
    expect(result.code).toBe(2);
  });
});
