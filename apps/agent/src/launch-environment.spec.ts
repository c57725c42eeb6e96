import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AGENT_LAUNCH_ENVIRONMENT } from './launch-environment.js';

const repositoryFile = (path: string) => readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');

describe('AGENT_LAUNCH_ENVIRONMENT', () => {
  it('is what the systemd unit starts the agent with', () => {
    const environment = repositoryFile('tools/systemd/imagelib-agent.service')
      .split('\n')
      .filter((line) => line.startsWith('Environment='))
      .map((line) => line.slice('Environment='.length));
    for (const [name, value] of Object.entries(AGENT_LAUNCH_ENVIRONMENT)) expect(environment).toContain(`${name}=${value}`);
  });

  it('is in the start-by-hand line that tools/install-agent.sh prints without systemd', () => {
    const line = repositoryFile('tools/install-agent.sh')
      .split('\n')
      .find((text) => text.startsWith('enable_service '));
    const settings = Object.entries(AGENT_LAUNCH_ENVIRONMENT).map(([name, value]) => `${name}=${value}`);
    expect(line).toBe(`enable_service "${settings.join(' ')} /usr/bin/node \${PREFIX}/apps/agent/dist/main.js --config \${CONFIG_FILE}"`);
  });
});
