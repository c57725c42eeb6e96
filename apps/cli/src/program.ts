import { Command } from 'commander';
import { CliContext, type CliIo } from './cli-context.js';
import { registerEndpointsCommand } from './commands/endpoints.js';
import { registerHostCommands } from './commands/hosts.js';
import { registerImageCommands } from './commands/images.js';
import { registerJoinTokenCommands } from './commands/join-token.js';
import { registerRoleCommands } from './commands/role.js';
import { registerStatusCommand } from './commands/status.js';
import { type ConfigFlags, defaultConfigPath, resolveConfig } from './config.js';
import { CliError } from './errors.js';
import { ExitCode, exitCodeHelp } from './exit-codes.js';

const CONFIG_HELP = (configPath: string) => `Configuration (flags over environment over the config file):
  controller URL   --controller URL, IMAGELIB_CONTROLLER_URL, "controllerUrl"
  operator token   --token TOKEN or --token-file FILE, IMAGELIB_TOKEN or IMAGELIB_TOKEN_FILE, "token" or "tokenFile"
  config file      --config FILE, IMAGELIB_CONFIG, default ${configPath}
                   e.g. {"controllerUrl": "http://controller:8080", "tokenFile": "/var/lib/imagelib-controller/admin-token"}
Colour: only on a terminal; NO_COLOR=1 or --no-color turns it off.
Progress (upload, download): a bar on a terminal (stderr), plain lines otherwise.`;

/** The `imagelib` command tree. Errors are thrown (exitOverride), never exit the process here. */
export function buildProgram(io: CliIo): Command {
  let context: CliContext | null = null;
  const session = () => {
    if (!context) throw new CliError(ExitCode.Failure, 'internal: no context before the action');
    return context;
  };

  const program = new Command('imagelib')
    .description("Image Library operators' command line: hosts, roles, join tokens, endpoints, images and their status on every host.")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(add --help for usage)')
    .option('--controller <url>', "the controller's REST API, e.g. http://controller:8080")
    .option('--token <token>', 'operator token (Authorization: Bearer)')
    .option('--token-file <file>', 'read the operator token from FILE')
    .option('--config <file>', 'JSON config file with controllerUrl, token or tokenFile')
    .option('--no-color', 'no ANSI colours')
    .addHelpText('after', `\n${CONFIG_HELP(defaultConfigPath(io.env, io.homeDir))}\n\n${exitCodeHelp()}`)
    .hook('preAction', (_program, action) => {
      const options = action.optsWithGlobals<ConfigFlags & { color: boolean }>();
      context = new CliContext(io, resolveConfig({ flags: options, env: io.env, homeDir: io.homeDir }), options.color);
    });

  registerHostCommands(program, session);
  registerRoleCommands(program, session);
  registerJoinTokenCommands(program, session);
  registerEndpointsCommand(program, session);
  registerImageCommands(program, session);
  registerStatusCommand(program, session);
  return program;
}
