import { execFileSync } from 'node:child_process';

/** The names and addresses of one bed: derived from a small number so that concurrent beds do not collide. */
export interface NetworkPlan {
  bridge: string;
  gateway: string;
  hosts: { netns: string; link: string; address: string }[];
}

const MAX_INTERFACE_NAME = 15;

/** Names and addresses for a bed of `hosts` hosts; `id` (e.g. the pid) keeps concurrent beds apart. */
export function planNetwork(id: number, hosts: number): NetworkPlan {
  if (!Number.isInteger(id) || id < 0) throw new Error(`bed id must be a non-negative integer, got ${id}`);
  if (!Number.isInteger(hosts) || hosts < 1 || hosts > 200) throw new Error(`a bed has 1 to 200 hosts, got ${hosts}`);
  const tag = String(id % 100_000);
  const subnet = `10.${200 + (id % 50)}.${Math.floor(id / 50) % 250}`;
  const plan: NetworkPlan = {
    bridge: `ilbr${tag}`,
    gateway: `${subnet}.1`,
    hosts: Array.from({ length: hosts }, (_, i) => ({ netns: `il${tag}h${i + 1}`, link: `ilv${tag}h${i + 1}`, address: `${subnet}.${11 + i}` })),
  };
  for (const name of [plan.bridge, ...plan.hosts.map((h) => h.link)]) {
    if (name.length > MAX_INTERFACE_NAME) throw new Error(`interface name ${name} is longer than ${MAX_INTERFACE_NAME}`);
  }
  return plan;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function ipIfPresent(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // absent already: nothing to remove
  }
}

/**
 * Hosts as network namespaces, each with a veth whose other end is on a bridge in the root
 * namespace (the gateway address, where the controller listens). Needs root.
 */
export class HostNetwork {
  readonly plan: NetworkPlan;

  constructor(id: number, hosts: number) {
    this.plan = planNetwork(id, hosts);
  }

  create(): void {
    this.destroy();
    ip('link', 'add', this.plan.bridge, 'type', 'bridge');
    ip('addr', 'add', `${this.plan.gateway}/24`, 'dev', this.plan.bridge);
    ip('link', 'set', this.plan.bridge, 'up');
    for (const host of this.plan.hosts) {
      ip('netns', 'add', host.netns);
      ip('link', 'add', host.link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.netns);
      ip('link', 'set', host.link, 'master', this.plan.bridge, 'up');
      ip('-n', host.netns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0');
      ip('-n', host.netns, 'link', 'set', 'eth0', 'up');
      ip('-n', host.netns, 'link', 'set', 'lo', 'up');
    }
  }

  /**
   * The command to put in front of a program to run it as host `index`: in its network namespace, in
   * a private mount namespace where `storageDir` is bind-mounted at `mountPath`. It execs the program,
   * so the pid seen by the caller is the program's.
   */
  launcher(index: number, storageDir: string, mountPath: string): string[] {
    const mountThenExec = 'mkdir -p "$2" && mount --bind "$1" "$2" && shift 2 && exec "$@"';
    return ['ip', 'netns', 'exec', this.host(index).netns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', mountThenExec, 'sh', storageDir, mountPath];
  }

  /** Cuts the host's link: its packets are dropped, its connections stay open and go silent. */
  cutLink(index: number): void {
    ip('link', 'set', this.host(index).link, 'down');
  }

  restoreLink(index: number): void {
    ip('link', 'set', this.host(index).link, 'up');
  }

  destroy(): void {
    for (const host of this.plan.hosts) ipIfPresent('netns', 'del', host.netns);
    ipIfPresent('link', 'del', this.plan.bridge);
  }

  private host(index: number): NetworkPlan['hosts'][number] {
    const host = this.plan.hosts[index];
    if (!host) throw new Error(`no host ${index} in a bed of ${this.plan.hosts.length}`);
    return host;
  }
}

/** Runs a command in the mount namespace of a running process (e.g. to unmount a host's repository). */
export function inMountNamespaceOf(pid: number, command: string[]): string {
  return execFileSync('nsenter', ['--target', String(pid), '--mount', '--', ...command], { encoding: 'utf8' });
}
