import { ConfigError, HTTP_HEADERS_TIMEOUT_DEFAULT_MS, HTTP_IDLE_TIMEOUT_DEFAULT_MS, validateSettings } from '@imagelib/config';
import { type StoreOptions, urlWithoutPassword } from '@imagelib/store';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The controller's settings, from the environment, validated once at start-up. */
export class ControllerEnv {
  @IsOptional() @IsString() @Matches(/^\//, { message: 'must be an absolute path' })
  dataDir = '/var/lib/imagelib-controller';

  @IsOptional() @IsString()
  httpHost = '0.0.0.0';

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  httpPort = 8080;

  @IsOptional() @IsString()
  grpcHost = '0.0.0.0';

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  grpcPort = 9443;

  @IsOptional() @Type(() => Number) @IsInt() @Min(100) @Max(60000)
  heartbeatIntervalMs = 1000;

  @IsOptional() @IsString()
  tlsSans = '';

  @IsOptional() @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';

  @IsOptional() @IsString() @Matches(/^(all|[1-9]\d{0,2})$/, { message: 'must be "all" or a number of storages from 1 to 999' })
  imageCopies = 'all';

  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  minFreeBytes = 1024 ** 3;

  @IsOptional() @IsString()
  imageApiHost = '0.0.0.0';

  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  imageApiPort = 0;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1000) @Max(600_000)
  httpHeadersTimeoutMs = HTTP_HEADERS_TIMEOUT_DEFAULT_MS;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1000) @Max(3_600_000)
  httpIdleTimeoutMs = HTTP_IDLE_TIMEOUT_DEFAULT_MS;
}

const ENV_NAMES: Record<keyof ControllerEnv, string> = {
  dataDir: 'IMAGELIB_DATA_DIR',
  httpHost: 'IMAGELIB_HTTP_HOST',
  httpPort: 'IMAGELIB_HTTP_PORT',
  grpcHost: 'IMAGELIB_GRPC_HOST',
  grpcPort: 'IMAGELIB_GRPC_PORT',
  heartbeatIntervalMs: 'IMAGELIB_HEARTBEAT_INTERVAL_MS',
  tlsSans: 'IMAGELIB_TLS_SANS',
  logLevel: 'IMAGELIB_LOG_LEVEL',
  imageCopies: 'IMAGELIB_IMAGE_COPIES',
  minFreeBytes: 'IMAGELIB_MIN_FREE_BYTES',
  imageApiHost: 'IMAGELIB_IMAGE_API_HOST',
  imageApiPort: 'IMAGELIB_IMAGE_API_PORT',
  httpHeadersTimeoutMs: 'IMAGELIB_HTTP_HEADERS_TIMEOUT_MS',
  httpIdleTimeoutMs: 'IMAGELIB_HTTP_IDLE_TIMEOUT_MS',
};

/** Read apart from the other settings: a bad value is reported without its password. */
const DATABASE_URL = 'IMAGELIB_DATABASE_URL';

export interface ControllerConfig {
  dataDir: string;
  /** PostgreSQL when IMAGELIB_DATABASE_URL is set, otherwise sqlite in the data directory. */
  database: StoreOptions;
  http: { host: string; port: number };
  grpc: { host: string; port: number };
  heartbeatIntervalMs: number;
  /** Names and addresses the controller's TLS certificate is valid for, besides its defaults. */
  tlsSans: string[];
  logLevel: LogLevel;
  hostname: string;
  /** On how many storages each image should be; Infinity for every one ("all"). */
  imageCopies: number;
  /** Less free space than this on a repository's filesystem is flagged. */
  minFreeBytes: number;
  /** The Glance v2 front door (one URL for the whole image service); null when it is off. */
  imageApi: { host: string; port: number } | null;
  /** Headers and idle timeouts of the REST API and the front door. */
  httpLimits: { headersTimeoutMs: number; idleTimeoutMs: number };
}

/** Nest injection token for the ControllerConfig. */
export const CONTROLLER_CONFIG = Symbol('ControllerConfig');

export function loadControllerConfig(env: NodeJS.ProcessEnv): ControllerConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    if (env[name] !== undefined && env[name] !== '') raw[key] = env[name];
  }
  const databaseUrl = env[DATABASE_URL] || undefined;
  const databaseProblem = databaseUrl === undefined ? null : databaseUrlProblem(databaseUrl);
  const settings = withProblem(databaseProblem, () => validateSettings(ControllerEnv, raw, ENV_NAMES));
  const clashes = (['httpPort', 'grpcPort'] as const).filter((key) => settings[key] === settings.imageApiPort).map((key) => ENV_NAMES[key]);
  if (clashes.length > 0) throw new ConfigError([`${ENV_NAMES.imageApiPort}=${settings.imageApiPort}: must differ from ${clashes.join(' and ')}`]);
  const dataDir = isAbsolute(settings.dataDir) ? resolve(settings.dataDir) : settings.dataDir;
  return {
    dataDir,
    database: databaseUrl === undefined ? { sqlitePath: resolve(dataDir, 'imagelib.sqlite') } : { postgresUrl: databaseUrl },
    http: { host: settings.httpHost, port: settings.httpPort },
    grpc: { host: settings.grpcHost, port: settings.grpcPort },
    heartbeatIntervalMs: settings.heartbeatIntervalMs,
    tlsSans: settings.tlsSans.split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: settings.logLevel,
    hostname: hostname(),
    imageCopies: settings.imageCopies === 'all' ? Infinity : Number(settings.imageCopies),
    minFreeBytes: settings.minFreeBytes,
    imageApi: settings.imageApiPort === 0 ? null : { host: settings.imageApiHost, port: settings.imageApiPort },
    httpLimits: { headersTimeoutMs: settings.httpHeadersTimeoutMs, idleTimeoutMs: settings.httpIdleTimeoutMs },
  };
}

/** What is wrong with a database URL, naming the variable and never showing its password; null when usable. */
function databaseUrlProblem(value: string): string | null {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url?.protocol !== 'postgres:' && url?.protocol !== 'postgresql:') {
    return `${DATABASE_URL}: must be a postgres:// or postgresql:// URL, postgres://user:password@host:port/database (the value is not shown: it may hold a password)`;
  }
  if (url.hostname === '' && !url.searchParams.has('host')) return `${DATABASE_URL}=${urlWithoutPassword(value)}: must name the server (postgres://user:password@host:port/database, or ?host=/socket/directory)`;
  return null;
}

/** Runs `validate`, adding `problem` to what it reports, or reporting `problem` alone. */
function withProblem<T>(problem: string | null, validate: () => T): T {
  let result: T;
  try {
    result = validate();
  } catch (error) {
    if (problem !== null && error instanceof ConfigError) throw new ConfigError([...error.problems, problem]);
    throw error;
  }
  if (problem !== null) throw new ConfigError([problem]);
  return result;
}
