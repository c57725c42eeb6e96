import type { Command } from 'commander';
import type { CreatedJoinTokenView } from '../api-types.js';
import type { Session } from '../cli-context.js';
import { renderFields } from '../format.js';
import { integerIn } from '../option-parsers.js';

/** The new token and the agent command that enrols a host with it. */
export function renderJoinToken(token: CreatedJoinTokenView): string {
  return (
    renderFields([
      ['token', token.token],
      ['id', token.id],
      ['expires', token.expiresAt],
      ['max uses', String(token.maxUses)],
      ['CA cert hash', token.caCertHash],
      ['controller', token.controllerAddress],
    ]) + `\nEnrol a host with (the token is shown only now):\n  ${token.agentCommand}\n`
  );
}

export function registerJoinTokenCommands(program: Command, session: Session): void {
  const joinToken = program.command('join-token').description('tokens that agents enrol with');

  joinToken
    .command('create')
    .description('a new join token; prints the secret (once) and the agent command line')
    .option('--max-uses <n>', 'how many hosts may enrol with it (1-10000, default 1)', integerIn(1, 10_000))
    .option('--ttl <seconds>', 'seconds until it expires (1-2592000, default 86400)', integerIn(1, 2_592_000))
    .option('--description <text>', 'what the token is for')
    .option('--json', 'print the token as JSON')
    .action(async (options: { maxUses?: number; ttl?: number; description?: string; json?: boolean }) => {
      const cx = session();
      const created = await cx.api.createJoinToken({
        ...(options.maxUses !== undefined ? { maxUses: options.maxUses } : {}),
        ...(options.ttl !== undefined ? { ttlSeconds: options.ttl } : {}),
        ...(options.description !== undefined ? { description: options.description } : {}),
      });
      cx.show(created, options.json, () => renderJoinToken(created));
    });
}
