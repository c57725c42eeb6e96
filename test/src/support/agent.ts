import type { ChildProcess } from 'node:child_process';
import { chownSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControllerProcess, JoinToken } from './controller.js';
import { AGENT_MAIN, exited, startNode, tempDir, waitFor } from './processes.js';

/** A real agent process with its own state directory, enrolled against a test controller. */
export class AgentProcess {
  child: ChildProcess | null = null;
  readonly stateDir = tempDir('agent');
  readonly logFile = join(this.stateDir, 'agent.log');

  constructor(
    readonly hostname: string,
    private readonly controller: ControllerProcess,
    private readonly extraArgs: string[] = [],
    /** Run as this user instead of the test's (root bypasses permission checks). */
    private readonly user?: { uid: number; gid: number },
    /** Put in front of node, e.g. to run the agent in a network and mount namespace (support/testbed.ts). */
    private readonly launcher: string[] = [],
    private readonly bindAddress = '127.0.0.1',
  ) {
    if (user) chownSync(this.stateDir, user.uid, user.gid);
  }

  get hostId(): string {
    return (JSON.parse(readFileSync(join(this.stateDir, 'credential.json'), 'utf8')) as { hostId: string }).hostId;
  }

  start(join?: JoinToken): ChildProcess {
    const args = ['--controller', this.controller.grpcAddress, '--state-dir', this.stateDir, '--hostname', this.hostname, '--bind-address', this.bindAddress, ...this.extraArgs];
    if (join) args.push('--join-token', join.token, '--ca-cert-hash', join.caCertHash);
    this.child = startNode(AGENT_MAIN, args, {}, this.logFile, this.user, this.launcher);
    return this.child;
  }

  /** Starts (enrolling if given a token) and waits until the controller shows the host connected. */
  async startConnected(join?: JoinToken): Promise<string> {
    this.start(join);
    await waitFor(`${this.hostname} to enrol`, () => {
      try {
        return this.hostId;
      } catch {
        return undefined;
      }
    });
    await waitFor(`${this.hostname} to be connected`, async () => (await this.controller.host(this.hostId)).connected);
    return this.hostId;
  }

  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | string> {
    const child = this.child;
    if (!child) return -1;
    child.kill(signal);
    const result = await exited(child);
    this.child = null;
    return result;
  }

  log(): string {
    return readFileSync(this.logFile, 'utf8');
  }
}
