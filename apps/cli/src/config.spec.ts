import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfigPath, resolveConfig } from './config.js';
import { CliError } from './errors.js';

function home(): string {
  return mkdtempSync(join(tmpdir(), 'imagelib-cli-config-'));
}

function failure(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('resolveConfig', () => {
  it('takes flags over the environment over the config file', () => {
    const dir = home();
    mkdirSync(join(dir, '.config/imagelib'), { recursive: true });
    writeFileSync(join(dir, '.config/imagelib/config.json'), JSON.stringify({ controllerUrl: 'http://file:8080', token: 'file-token' }));
    const env = { IMAGELIB_CONTROLLER_URL: 'http://env:8080/', IMAGELIB_TOKEN: 'env-token' };
    expect(resolveConfig({ flags: {}, env: {}, homeDir: dir })).toEqual({ controllerUrl: 'http://file:8080', token: 'file-token' });
    expect(resolveConfig({ flags: {}, env, homeDir: dir })).toEqual({ controllerUrl: 'http://env:8080', token: 'env-token' });
    expect(resolveConfig({ flags: { controller: 'https://flag', token: 'flag-token' }, env, homeDir: dir })).toEqual({ controllerUrl: 'https://flag', token: 'flag-token' });
  });

  it('reads token files (trimmed), relative to the config file when named there', () => {
    const dir = home();
    writeFileSync(join(dir, 'admin-token'), 'secret-token\n');
    writeFileSync(join(dir, 'cli.json'), JSON.stringify({ controllerUrl: 'http://c:8080', tokenFile: 'admin-token' }));
    expect(resolveConfig({ flags: { config: join(dir, 'cli.json') }, env: {}, homeDir: dir }).token).toBe('secret-token');
    expect(resolveConfig({ flags: { controller: 'http://c', tokenFile: join(dir, 'admin-token') }, env: {}, homeDir: dir }).token).toBe('secret-token');
    expect(resolveConfig({ flags: {}, env: { IMAGELIB_CONTROLLER_URL: 'http://c', IMAGELIB_TOKEN_FILE: join(dir, 'admin-token') }, homeDir: dir }).token).toBe('secret-token');
  });

  it('names everything missing and every way to give it, as a usage error', () => {
    const dir = home();
    const error = failure(() => resolveConfig({ flags: {}, env: {}, homeDir: dir }));
    expect(error.exitCode).toBe(2);
    const path = join(dir, '.config/imagelib/config.json');
    expect(error.message).toBe(
      'configuration:\n' +
        `  - no controller URL: give --controller URL, set IMAGELIB_CONTROLLER_URL, or set "controllerUrl" in ${path}\n` +
        `  - no operator token: give --token TOKEN or --token-file FILE, set IMAGELIB_TOKEN or IMAGELIB_TOKEN_FILE, or set "token" or "tokenFile" in ${path}`,
    );
  });

  it('lists every bad value at once: URL, file keys, unreadable token file, both token forms', () => {
    const dir = home();
    const file = join(dir, 'cli.json');
    writeFileSync(file, JSON.stringify({ controllerUrl: 'ftp://x', tokn: 'x', token: 42 }));
    expect(failure(() => resolveConfig({ flags: { config: file }, env: {}, homeDir: dir })).message.split('\n').slice(1)).toEqual([
      `  - unknown key "tokn" in ${file} (known: controllerUrl, token, tokenFile)`,
      `  - "token" in ${file} must be a non-empty string`,
      `  - the controller URL "ftp://x" (from "controllerUrl" in ${file}) must start with http:// or https://`,
      `  - no operator token: give --token TOKEN or --token-file FILE, set IMAGELIB_TOKEN or IMAGELIB_TOKEN_FILE, or set "token" or "tokenFile" in ${file}`,
    ]);
    expect(failure(() => resolveConfig({ flags: { controller: 'not a url', token: 't', tokenFile: '/x' }, env: {}, homeDir: dir })).message.split('\n').slice(1)).toEqual([
      '  - the controller URL "not a url" (from --controller) is not a URL',
      '  - give either --token or --token-file, not both',
    ]);
    expect(failure(() => resolveConfig({ flags: { controller: 'http://c', tokenFile: join(dir, 'missing') }, env: {}, homeDir: dir })).message).toContain(
      `cannot read the token file ${join(dir, 'missing')} (from --token-file): ENOENT`,
    );
    expect(failure(() => resolveConfig({ flags: { controller: 'http://c', token: '' }, env: {}, homeDir: dir })).message).toContain('the operator token from --token is empty');
  });

  it('requires a config file named explicitly to exist, and to be a JSON object', () => {
    const dir = home();
    expect(failure(() => resolveConfig({ flags: { controller: 'http://c', token: 't' }, env: { IMAGELIB_CONFIG: join(dir, 'nope.json') }, homeDir: dir })).message).toContain(
      `cannot read the config file ${join(dir, 'nope.json')}`,
    );
    writeFileSync(join(dir, 'list.json'), '[]');
    expect(failure(() => resolveConfig({ flags: { controller: 'http://c', token: 't', config: join(dir, 'list.json') }, env: {}, homeDir: dir })).message).toContain('must hold a JSON object');
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(failure(() => resolveConfig({ flags: { controller: 'http://c', token: 't', config: join(dir, 'broken.json') }, env: {}, homeDir: dir })).message).toContain('is not JSON');
  });

  it('finds the default file under XDG_CONFIG_HOME when set', () => {
    expect(defaultConfigPath({ XDG_CONFIG_HOME: '/xdg' }, '/home/op')).toBe('/xdg/imagelib/config.json');
    expect(defaultConfigPath({}, '/home/op')).toBe('/home/op/.config/imagelib/config.json');
  });
});
