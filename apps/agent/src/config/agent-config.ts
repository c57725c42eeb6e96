import { ConfigError, HTTP_HEADERS_TIMEOUT_DEFAULT_MS, HTTP_IDLE_TIMEOUT_DEFAULT_MS, validateSettings } from '@imagelib/config';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { controllerTarget } from '../link/controller-target.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Agent settings as written in the config file, the environment or on the command line. */
export class AgentSettings {
  /** One host:port, or several separated by commas (one per controller). */
  @IsString({ message: 'is required: the controller gRPC address as host:port (several separated by commas)' })
  @Matches(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}(,(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5})*$/, { message: 'must be host:port, or several separated by commas' })
  controllerAddress!: string;

  @IsOptional() @IsString() @Matches(/^[a-z0-9]{6}\.[a-z0-9]{16}$/, { message: 'must look like abcdef.0123456789abcdef' })
  joinToken?: string;

  @IsOptional() @IsString() @Matches(/^sha256:[0-9a-f]{64}$/, { message: 'must be sha256:<64 hex digits>' })
  caCertHash?: string;

  @IsOptional() @IsString() @Matches(/^\//, { message: 'must be an absolute path' })
  stateDir = '/var/lib/imagelib-agent';

  @IsOptional() @IsString()
  bindAddress = '0.0.0.0';

  @IsOptional() @IsString() @Matches(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/, { message: 'must be 1-64 letters, digits, dots, dashes or underscores' })
  region = 'default';

  @IsOptional() @IsString() @MaxLength(253)
  hostname = hostname();

  @IsOptional() @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';

  /** "none" turns token checks off: for development only. */
  @IsOptional() @IsIn(['token', 'none'])
  imageApiAuth: 'token' | 'none' = 'token';

  /** Largest image upload accepted (Glance's image_size_cap defaults to 1 TiB). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER)
  maxUploadBytes = 1024 ** 4;

  /** Average rate at which stored files are re-hashed to find damage; 0 turns scrubbing off. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  scrubBytesPerSecond = 32 * 1024 ** 2;

  /** Limit for copying images from other hosts; 0 for none. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  replicationBandwidthBytesPerSecond = 0;

  /** Image API clients send a request's headers within this (else 408 and closed); silent connections are closed after it. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1000) @Max(600_000)
  httpHeadersTimeoutMs = HTTP_HEADERS_TIMEOUT_DEFAULT_MS;

  /** An image API connection on which nothing moves for this long is closed. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1000) @Max(3_600_000)
  httpIdleTimeoutMs = HTTP_IDLE_TIMEOUT_DEFAULT_MS;
}

export const SETTING_SOURCES: Record<keyof AgentSettings, { env: string; flag: string }> = {
  controllerAddress: { env: 'IMAGELIB_CONTROLLER_ADDRESS', flag: '--controller' },
  joinToken: { env: 'IMAGELIB_JOIN_TOKEN', flag: '--join-token' },
  caCertHash: { env: 'IMAGELIB_CA_CERT_HASH', flag: '--ca-cert-hash' },
  stateDir: { env: 'IMAGELIB_STATE_DIR', flag: '--state-dir' },
  bindAddress: { env: 'IMAGELIB_BIND_ADDRESS', flag: '--bind-address' },
  region: { env: 'IMAGELIB_REGION', flag: '--region' },
  hostname: { env: 'IMAGELIB_HOSTNAME', flag: '--hostname' },
  logLevel: { env: 'IMAGELIB_LOG_LEVEL', flag: '--log-level' },
  imageApiAuth: { env: 'IMAGELIB_IMAGE_API_AUTH', flag: '--image-api-auth' },
  maxUploadBytes: { env: 'IMAGELIB_MAX_UPLOAD_BYTES', flag: '--max-upload-bytes' },
  scrubBytesPerSecond: { env: 'IMAGELIB_SCRUB_BYTES_PER_SECOND', flag: '--scrub-bytes-per-second' },
  replicationBandwidthBytesPerSecond: { env: 'IMAGELIB_REPLICATION_BANDWIDTH', flag: '--replication-bandwidth' },
  httpHeadersTimeoutMs: { env: 'IMAGELIB_HTTP_HEADERS_TIMEOUT_MS', flag: '--http-headers-timeout-ms' },
  httpIdleTimeoutMs: { env: 'IMAGELIB_HTTP_IDLE_TIMEOUT_MS', flag: '--http-idle-timeout-ms' },
};

export interface AgentConfig extends AgentSettings {
  /** controllerAddress split: every controller the agent may use. */
  controllerAddresses: string[];
  /** The gRPC target that reaches any of them. */
  controllerTarget: string;
  credentialPath: string;
  desiredStatePath: string;
  catalogPath: string;
  discoveryCachePath: string;
  version: string;
}

/**
 * Reads the settings once: the config file (JSON, keys as in AgentSettings), then the
 * environment, then command-line flags, each overriding the one before. Every bad setting is named.
 */
export function loadAgentConfig(configFile: string | undefined, env: NodeJS.ProcessEnv, flags: Record<string, string>): AgentConfig {
  const raw: Record<string, unknown> = configFile ? readConfigFile(configFile) : {};
  for (const [key, source] of Object.entries(SETTING_SOURCES)) {
    if (env[source.env]) raw[key] = env[source.env];
    if (flags[source.flag] !== undefined) raw[key] = flags[source.flag];
  }
  const names = Object.fromEntries(Object.entries(SETTING_SOURCES).map(([key, s]) => [key, `${key} (${s.flag}, ${s.env})`]));
  const settings = validateSettings(AgentSettings, raw, names);
  const controllerAddresses = settings.controllerAddress.split(',');
  let target: string;
  try {
    target = controllerTarget(controllerAddresses);
  } catch (error) {
    throw new ConfigError([`${names.controllerAddress}=${JSON.stringify(settings.controllerAddress)}: ${(error as Error).message}`]);
  }
  return {
    ...settings,
    controllerAddresses,
    controllerTarget: target,
    credentialPath: join(settings.stateDir, 'credential.json'),
    desiredStatePath: join(settings.stateDir, 'desired-state.json'),
    catalogPath: join(settings.stateDir, 'catalog.json'),
    discoveryCachePath: join(settings.stateDir, 'discovery-cache.json'),
    version: agentVersion(),
  };
}

function readConfigFile(path: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${path}: the config file must hold a JSON object`);
  const unknownKeys = Object.keys(parsed).filter((key) => !(key in SETTING_SOURCES));
  if (unknownKeys.length > 0) throw new Error(`${path}: unknown settings ${unknownKeys.join(', ')}`);
  return parsed as Record<string, unknown>;
}

function agentVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
