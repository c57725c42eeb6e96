#!/usr/bin/env node
import { ConfigError } from '@imagelib/config';
import { Agent, EXIT_CREDENTIAL_REFUSED } from './agent.js';
import { HELP, parseCommandLine } from './command-line.js';
import { type AgentConfig, loadAgentConfig } from './config/agent-config.js';
import { EnrolmentRefused } from './enrolment/enrol.js';
import { createLogger } from './log.js';

function fail(code: number, message: string): never {
  process.stderr.write(`imagelib-agent: ${message}\n`);
  process.exit(code);
}

let config: AgentConfig;
try {
  const commandLine = parseCommandLine(process.argv.slice(2), process.env);
  if (commandLine.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  config = loadAgentConfig(commandLine.configFile, process.env, commandLine.flags);
} catch (error) {
  fail(2, error instanceof ConfigError ? error.message : `${error instanceof Error ? error.message : String(error)}\n(see imagelib-agent --help)`);
}

const log = createLogger(config.logLevel);
const agent = new Agent(config, log, (code) => process.exit(code));
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    agent.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
agent.start().catch((error: unknown) => {
  if (error instanceof EnrolmentRefused) fail(EXIT_CREDENTIAL_REFUSED, error.message);
  log.error({ err: error }, 'failed to start');
  process.exit(1);
});
