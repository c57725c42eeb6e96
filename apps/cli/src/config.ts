import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

/** What every command needs: where the controller is and the operator token. */
export interface CliConfig {
  /** `http://controller:8080`, without a trailing slash. */
  controllerUrl: string;
  token: string;
}

/** The global flags (`--controller`, `--token`, `--token-file`, `--config`). */
export interface ConfigFlags {
  controller?: string;
  token?: string;
  tokenFile?: string;
  config?: string;
}

export interface ConfigSources {
  flags: ConfigFlags;
  env: NodeJS.ProcessEnv;
  /** The user's home directory, for `~/.config/imagelib/config.json`. */
  homeDir: string;
}

/** The keys of the config file. */
interface ConfigFile {
  controllerUrl?: string;
  token?: string;
  tokenFile?: string;
}

const FILE_KEYS = ['controllerUrl', 'token', 'tokenFile'] as const;

/** `$XDG_CONFIG_HOME/imagelib/config.json`, else `~/.config/imagelib/config.json`. */
export function defaultConfigPath(env: NodeJS.ProcessEnv, homeDir: string): string {
  return join(env.XDG_CONFIG_HOME || join(homeDir, '.config'), 'imagelib', 'config.json');
}

/** A token given directly or as a file, and where it came from (for messages). */
interface TokenSource {
  token?: string | undefined;
  tokenFile?: string | undefined;
  /** `--token / --token-file`, `IMAGELIB_TOKEN / IMAGELIB_TOKEN_FILE`, `"token" / "tokenFile" in FILE`. */
  names: [string, string];
}

/**
 * Flags over environment over the config file, resolved and checked once. Throws a usage error that
 * lists every problem and, for a missing value, every way to give it.
 */
export function resolveConfig(sources: ConfigSources): CliConfig {
  const { flags, env } = sources;
  const problems: string[] = [];
  const explicitPath = flags.config ?? (env.IMAGELIB_CONFIG || undefined);
  const path = resolve(explicitPath ?? defaultConfigPath(env, sources.homeDir));
  const file = readConfigFile(path, explicitPath !== undefined, problems);

  const url = firstGiven([
    [flags.controller, '--controller'],
    [env.IMAGELIB_CONTROLLER_URL, 'IMAGELIB_CONTROLLER_URL'],
    [file.controllerUrl, `"controllerUrl" in ${path}`],
  ]);
  let controllerUrl = '';
  if (!url) problems.push(`no controller URL: give --controller URL, set IMAGELIB_CONTROLLER_URL, or set "controllerUrl" in ${path}`);
  else controllerUrl = checkUrl(url.value, url.source, problems);

  const tokenSources: TokenSource[] = [
    { token: flags.token, tokenFile: flags.tokenFile, names: ['--token', '--token-file'] },
    { token: env.IMAGELIB_TOKEN || undefined, tokenFile: env.IMAGELIB_TOKEN_FILE || undefined, names: ['IMAGELIB_TOKEN', 'IMAGELIB_TOKEN_FILE'] },
    { token: file.token, tokenFile: file.tokenFile && resolve(dirname(path), file.tokenFile), names: [`"token" in ${path}`, `"tokenFile" in ${path}`] },
  ];
  const chosen = tokenSources.find((s) => s.token !== undefined || s.tokenFile !== undefined);
  let token = '';
  if (!chosen) {
    problems.push(`no operator token: give --token TOKEN or --token-file FILE, set IMAGELIB_TOKEN or IMAGELIB_TOKEN_FILE, or set "token" or "tokenFile" in ${path}`);
  } else {
    token = readToken(chosen, problems);
  }

  if (problems.length > 0) throw new CliError(ExitCode.Usage, `configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return { controllerUrl, token };
}

function firstGiven(candidates: [string | undefined, string][]): { value: string; source: string } | undefined {
  const found = candidates.find(([value]) => value !== undefined && value !== '');
  return found ? { value: found[0]!, source: found[1] } : undefined;
}

function readConfigFile(path: string, required: boolean, problems: string[]): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    problems.push(`cannot read the config file ${path}: ${(error as Error).message}`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    problems.push(`the config file ${path} is not JSON: ${(error as Error).message}`);
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`the config file ${path} must hold a JSON object with ${FILE_KEYS.map((k) => `"${k}"`).join(', ')}`);
    return {};
  }
  const file: ConfigFile = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(FILE_KEYS as readonly string[]).includes(key)) {
      problems.push(`unknown key "${key}" in ${path} (known: ${FILE_KEYS.join(', ')})`);
    } else if (typeof value !== 'string' || value === '') {
      problems.push(`"${key}" in ${path} must be a non-empty string`);
    } else {
      file[key as (typeof FILE_KEYS)[number]] = value;
    }
  }
  return file;
}

function checkUrl(value: string, source: string, problems: string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`the controller URL "${value}" (from ${source}) is not a URL`);
    return '';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`the controller URL "${value}" (from ${source}) must start with http:// or https://`);
    return '';
  }
  if (url.search || url.hash || url.username) {
    problems.push(`the controller URL "${value}" (from ${source}) must have no query, fragment or credentials`);
    return '';
  }
  return url.href.replace(/\/+$/, '');
}

function readToken(source: TokenSource, problems: string[]): string {
  const [tokenName, fileName] = source.names;
  if (source.token !== undefined && source.tokenFile !== undefined) {
    problems.push(`give either ${tokenName} or ${fileName}, not both`);
    return '';
  }
  let token = source.token;
  let from = tokenName;
  if (source.tokenFile !== undefined) {
    from = `${fileName} (${source.tokenFile})`;
    try {
      token = readFileSync(source.tokenFile, 'utf8').trim();
    } catch (error) {
      problems.push(`cannot read the token file ${source.tokenFile} (from ${fileName}): ${(error as Error).message}`);
      return '';
    }
  }
  if (!token || /\s/.test(token)) {
    problems.push(`the operator token from ${from} is empty or contains white space`);
    return '';
  }
  return token;
}
