import type { AgentConfig } from './config/agent-config.js';
import { ensureCredential } from './enrolment/enrol.js';
import { collectHostFacts } from './facts/host-facts.js';
import { ControllerLink } from './link/controller-link.js';
import type { Logger } from './log.js';
import { RoleManager } from './roles/role-manager.js';

/** Exit status when the controller no longer accepts this host's credential: do not restart in a loop. */
export const EXIT_CREDENTIAL_REFUSED = 3;

/** The agent process: enrol once, then keep the link to the controller and run the roles it asks for. */
export class Agent {
  private link: ControllerLink | null = null;
  private roles: RoleManager | null = null;

  constructor(
    private readonly config: AgentConfig,
    private readonly log: Logger,
    private readonly exit: (code: number) => void,
  ) {}

  async start(): Promise<void> {
    const credential = await ensureCredential(this.config, this.log);
    const roles = new RoleManager(
      {
        bindAddress: this.config.bindAddress,
        advertisedHost: advertisedHost(this.config),
        desiredStatePath: this.config.desiredStatePath,
        onStatus: (status) => {
          this.link?.reportRole(status);
          this.link?.sendFacts();
        },
      },
      this.log,
    );
    this.roles = roles;
    await roles.apply(roles.savedDesiredState(), false);
    this.link = new ControllerLink(
      {
        controllerAddress: this.config.controllerAddress,
        agentVersion: this.config.version,
        credential,
        collectFacts: () => collectHostFacts(this.config.hostname, roles.repositoryPaths()),
        onRevoked: (reason) => {
          this.log.error({ reason }, 'the controller refused this host\'s credential; enrol again with a new join token');
          void this.stop().then(() => this.exit(EXIT_CREDENTIAL_REFUSED));
        },
      },
      roles,
      this.log,
    );
    this.link.start();
  }

  async stop(): Promise<void> {
    this.link?.stop();
    await this.roles?.stopAll();
  }
}

function advertisedHost(config: AgentConfig): string {
  if (config.bindAddress === '0.0.0.0' || config.bindAddress === '::') return config.hostname;
  return config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress;
}
