import { rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HostNetwork, inMountNamespaceOf } from '@imagelib/testbed';
import { AgentProcess } from './agent.js';
import { ControllerProcess } from './controller.js';
import { tempDir, waitFor } from './processes.js';

/** The repository path on every test-bed host (the same path everywhere, as Platform9's HA guide requires). */
export const TESTBED_REPOSITORY = '/srv/imagelib-testbed/images';
const IMAGE_API_PORT = 9292;

export interface TestBedOptions {
  hosts: number;
  /** One directory behind every host's repository (shared storage), or one per host (local disks). */
  storage: 'shared' | 'local';
  controllerEnv?: NodeJS.ProcessEnv;
}

/** One host of the bed: a real agent in the host's network namespace, its storage mounted at TESTBED_REPOSITORY. */
export class TestBedHost {
  readonly agent: AgentProcess;

  constructor(
    readonly name: string,
    private readonly index: number,
    private readonly network: HostNetwork,
    /** The directory that backs this host's repository. */
    readonly storageDir: string,
    controller: ControllerProcess,
  ) {
    const address = network.plan.hosts[index]!.address;
    this.agent = new AgentProcess(name, controller, [], undefined, network.launcher(index, storageDir, TESTBED_REPOSITORY), address);
  }

  get url(): string {
    return `http://${this.network.plan.hosts[this.index]!.address}:${IMAGE_API_PORT}`;
  }

  cutLink(): void {
    this.network.cutLink(this.index);
  }

  restoreLink(): void {
    this.network.restoreLink(this.index);
  }

  /** Runs a command in the agent's mount namespace (e.g. to unmount or remount its repository). */
  inMountNamespace(command: string[]): string {
    const pid = this.agent.child?.pid;
    if (!pid) throw new Error(`${this.name}: the agent is not running`);
    return inMountNamespaceOf(pid, command);
  }
}

/**
 * Several hosts on one machine, as root (libs/testbed): the controller's gRPC listens on the bed's
 * bridge; every host is a network namespace with a veth on the bridge and runs a real agent.
 */
export class TestBed {
  readonly controller: ControllerProcess;
  readonly hosts: TestBedHost[];
  private readonly network: HostNetwork;
  private readonly root = tempDir('testbed');

  constructor(options: TestBedOptions) {
    this.network = new HostNetwork(process.pid, options.hosts);
    const gateway = this.network.plan.gateway;
    this.controller = new ControllerProcess({ IMAGELIB_GRPC_HOST: gateway, IMAGELIB_TLS_SANS: gateway, ...options.controllerEnv });
    this.hosts = this.network.plan.hosts.map((_, i) => {
      const storageDir = join(this.root, options.storage === 'shared' ? 'shared' : `host${i + 1}`);
      mkdirSync(storageDir, { recursive: true });
      return new TestBedHost(`host-${i + 1}`, i, this.network, storageDir, this.controller);
    });
  }

  /** Creates the network, starts the controller and every agent, enrolled and connected. */
  async start(): Promise<this> {
    this.network.create();
    mkdirSync(TESTBED_REPOSITORY, { recursive: true });
    await this.controller.start();
    const joinToken = await this.controller.joinToken({ maxUses: this.hosts.length });
    await Promise.all(this.hosts.map((host) => host.agent.startConnected(joinToken)));
    return this;
  }

  /** Gives the hosts the image-library role on TESTBED_REPOSITORY; resolves once all are active. */
  async giveImageLibraryRole(hosts: TestBedHost[] = this.hosts): Promise<void> {
    for (const host of hosts) {
      const assigned = await this.controller.request('PUT', `/api/v1/hosts/${host.agent.hostId}/roles/image-library`, { repositoryPath: TESTBED_REPOSITORY, port: IMAGE_API_PORT });
      if (assigned.status !== 200) throw new Error(`role for ${host.name}: ${assigned.status} ${JSON.stringify(assigned.body)}`);
    }
    await waitFor('every role active', async () => (await Promise.all(hosts.map((h) => this.controller.host(h.agent.hostId)))).every((h) => h.roles[0]?.state === 'active'), 20_000);
  }

  host(name: string): TestBedHost {
    const found = this.hosts.find((h) => h.name === name);
    if (!found) throw new Error(`no test-bed host ${name}`);
    return found;
  }

  async stop(): Promise<void> {
    for (const host of this.hosts) host.agent.signal('SIGCONT');
    await Promise.all(this.hosts.map((host) => host.agent.kill('SIGKILL')));
    await this.controller.kill('SIGTERM');
    this.network.destroy();
    rmSync(this.root, { recursive: true, force: true });
  }
}
