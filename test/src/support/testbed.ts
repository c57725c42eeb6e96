import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './agent.js';
import { ControllerProcess } from './controller.js';
import { tempDir, waitFor } from './processes.js';

/** The repository path on every test-bed host (the same path everywhere, as Platform9's HA guide requires). */
export const TESTBED_REPOSITORY = '/srv/imagelib-testbed/images';
const IMAGE_API_PORT = 9292;

export type TestBedStorage = 'shared' | 'local';

export interface TestBedOptions {
  hosts: number;
  /** One directory behind every host's repository (shared storage), or one per host (local disks). */
  storage: TestBedStorage;
  controllerEnv?: NodeJS.ProcessEnv;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * One host of the bed: its own network namespace (an address on the bed's bridge) and, for its
 * agent, its own mount namespace where the host's storage is mounted at TESTBED_REPOSITORY.
 */
export class TestBedHost {
  readonly agent: AgentProcess;

  constructor(
    readonly name: string,
    readonly netns: string,
    /** The root namespace's end of the host's veth: taking it down cuts the host's link. */
    readonly link: string,
    readonly address: string,
    /** The directory that backs this host's repository. */
    readonly storageDir: string,
    controller: ControllerProcess,
  ) {
    const mountThenExec = 'mkdir -p "$2" && mount --bind "$1" "$2" && shift 2 && exec "$@"';
    const launcher = ['ip', 'netns', 'exec', netns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', mountThenExec, 'sh', storageDir, TESTBED_REPOSITORY];
    this.agent = new AgentProcess(name, controller, [], undefined, launcher, address);
  }

  get url(): string {
    return `http://${this.address}:${IMAGE_API_PORT}`;
  }

  cutLink(): void {
    ip('link', 'set', this.link, 'down');
  }

  restoreLink(): void {
    ip('link', 'set', this.link, 'up');
  }

  /** Runs a command in the agent's mount namespace (e.g. to unmount or remount its repository). */
  inMountNamespace(command: string[]): string {
    const pid = this.agent.child?.pid;
    if (!pid) throw new Error(`${this.name}: the agent is not running`);
    return execFileSync('nsenter', ['--target', String(pid), '--mount', '--', ...command], { encoding: 'utf8' });
  }
}

/**
 * Several hosts on one machine, as root: a bridge in the root namespace carries the controller's
 * gRPC address; every host is a network namespace with a veth on the bridge and runs a real agent.
 * Only the bed's own addresses receive traffic.
 */
export class TestBed {
  readonly controller: ControllerProcess;
  readonly hosts: TestBedHost[] = [];
  private readonly id = String(process.pid % 100_000);
  private readonly bridge = `ilbr${this.id}`;
  private readonly subnet = `10.${200 + (process.pid % 50)}.${Math.floor(process.pid / 50) % 250}`;
  private readonly root = tempDir('testbed');

  constructor(private readonly options: TestBedOptions) {
    this.controller = new ControllerProcess({ IMAGELIB_GRPC_HOST: `${this.subnet}.1`, IMAGELIB_TLS_SANS: `${this.subnet}.1`, ...options.controllerEnv });
  }

  /** Creates the network, starts the controller and every agent, enrolled and connected. */
  async start(): Promise<this> {
    this.destroyNetwork();
    ip('link', 'add', this.bridge, 'type', 'bridge');
    ip('addr', 'add', `${this.subnet}.1/24`, 'dev', this.bridge);
    ip('link', 'set', this.bridge, 'up');
    mkdirSync(TESTBED_REPOSITORY, { recursive: true });
    const shared = join(this.root, 'shared');
    for (let i = 1; i <= this.options.hosts; i++) {
      const netns = `il${this.id}h${i}`;
      const link = `ilv${this.id}h${i}`;
      const address = `${this.subnet}.${10 + i}`;
      ip('netns', 'add', netns);
      ip('link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
      ip('link', 'set', link, 'master', this.bridge, 'up');
      ip('-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      ip('-n', netns, 'link', 'set', 'eth0', 'up');
      ip('-n', netns, 'link', 'set', 'lo', 'up');
      const storageDir = this.options.storage === 'shared' ? shared : join(this.root, `host${i}`);
      mkdirSync(storageDir, { recursive: true });
      this.hosts.push(new TestBedHost(`host-${i}`, netns, link, address, storageDir, this.controller));
    }
    await this.controller.start();
    const join_ = await this.controller.joinToken({ maxUses: this.hosts.length });
    await Promise.all(this.hosts.map((host) => host.agent.startConnected(join_)));
    return this;
  }

  /** Gives every host the image-library role on TESTBED_REPOSITORY; resolves once all are active. */
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
    this.destroyNetwork();
    rmSync(this.root, { recursive: true, force: true });
  }

  private destroyNetwork(): void {
    for (let i = 1; i <= this.options.hosts; i++) {
      try {
        ip('netns', 'del', `il${this.id}h${i}`);
      } catch {
        // not there: nothing to remove
      }
    }
    try {
      ip('link', 'del', this.bridge);
    } catch {
      // not there: nothing to remove
    }
  }
}
