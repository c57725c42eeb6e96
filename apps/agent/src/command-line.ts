import { SETTING_SOURCES } from './config/agent-config.js';

export const HELP = `Usage: imagelib-agent [--config FILE] [options]

Runs the Image Library agent on this host: enrols with the controller once, keeps one
gRPC stream to it (heartbeats, facts, role states), and runs the image service when the
host has the image-library role.

Settings come from the JSON config file (keys in parentheses), then the environment,
then these flags, each overriding the one before:
  --controller HOST:PORT[,HOST:PORT...]  controller gRPC address
                            (controllerAddress, IMAGELIB_CONTROLLER_ADDRESS),
                            required; several controllers: their IP addresses
                            separated by commas, or one DNS name that resolves
                            to each; the agent moves to another when its own fails
  --join-token TOKEN        join token for the first start (joinToken,
                            IMAGELIB_JOIN_TOKEN)
  --ca-cert-hash sha256:HEX pins the controller's CA (caCertHash,
                            IMAGELIB_CA_CERT_HASH); with --join-token
  --state-dir DIR           credential and state (stateDir, IMAGELIB_STATE_DIR;
                            default /var/lib/imagelib-agent)
  --bind-address ADDR       address the image service binds (bindAddress,
                            IMAGELIB_BIND_ADDRESS; default 0.0.0.0)
  --region NAME             this host's region (region, IMAGELIB_REGION;
                            default "default")
  --hostname NAME           name to enrol under (hostname, IMAGELIB_HOSTNAME;
                            default the system host name)
  --log-level LEVEL         debug | info | warn | error (logLevel,
                            IMAGELIB_LOG_LEVEL; default info)
  --image-api-auth MODE     token | none: "none" serves the image API without
                            tokens, for development only (imageApiAuth,
                            IMAGELIB_IMAGE_API_AUTH; default token)
  --max-upload-bytes N      largest image upload accepted, else 413
                            (maxUploadBytes, IMAGELIB_MAX_UPLOAD_BYTES;
                            default 1 TiB)
  --scrub-bytes-per-second N  average rate of re-hashing stored images to find
                            damage; 0 turns it off (scrubBytesPerSecond,
                            IMAGELIB_SCRUB_BYTES_PER_SECOND; default 32 MiB/s)
  --replication-bandwidth N bytes per second for copying images from other
                            hosts; 0 for no limit (replicationBandwidthBytesPerSecond,
                            IMAGELIB_REPLICATION_BANDWIDTH; default 0)
  --http-headers-timeout-ms N  image API clients send a request's headers within
                            this, else 408 and the connection is closed; also
                            closes connections that send nothing
                            (httpHeadersTimeoutMs, IMAGELIB_HTTP_HEADERS_TIMEOUT_MS;
                            1000..600000, default 30000)
  --http-idle-timeout-ms N  closes an image API connection on which nothing
                            moves for this long (httpIdleTimeoutMs,
                            IMAGELIB_HTTP_IDLE_TIMEOUT_MS; 1000..3600000,
                            default 300000)
  --config FILE             JSON config file (IMAGELIB_AGENT_CONFIG)
  --help                    this text

Exit status: 0 after SIGTERM/SIGINT, 1 on a start-up failure, 2 for invalid settings,
3 when the controller refuses the host's credential (enrol again with a new token).
`;

export interface CommandLine {
  help: boolean;
  configFile: string | undefined;
  flags: Record<string, string>;
}

const VALUE_FLAGS = new Set([...Object.values(SETTING_SOURCES).map((s) => s.flag), '--config']);

/** Parses `--flag value` and `--flag=value`; throws with every unknown or incomplete flag named. */
export function parseCommandLine(args: string[], env: NodeJS.ProcessEnv): CommandLine {
  const flags: Record<string, string> = {};
  const problems: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!VALUE_FLAGS.has(name)) {
      problems.push(`unknown argument ${name}`);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) problems.push(`${name} needs a value`);
    else flags[name] = value;
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return { help, configFile: flags['--config'] ?? env.IMAGELIB_AGENT_CONFIG, flags };
}
