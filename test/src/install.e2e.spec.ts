// Host install: tools/install-agent.sh, tools/install-controller.sh and the
// systemd units in tools/systemd. The scripts run with --root into temp
// directories (no user is created, no systemctl runs); the units are checked
// with `systemd-analyze verify`, which needs no running systemd.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandAvailable } from './support/processes.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const toolsDir = path.join(repoRoot, 'tools');
const agentScript = path.join(toolsDir, 'install-agent.sh');
const controllerScript = path.join(toolsDir, 'install-controller.sh');
const commonScript = path.join(toolsDir, 'install-common.sh'); // sourced by both
const agentUnit = path.join(toolsDir, 'systemd', 'imagelib-agent.service');
const controllerUnit = path.join(toolsDir, 'systemd', 'imagelib-controller.service');

const CA_HASH = `sha256:${'0123456789abcdef'.repeat(4)}`;
const TOKEN = 'abcdef.0123456789abcdef';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imagelib-install-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): RunResult {
  const env = { ...process.env };
  delete env.IMAGELIB_JOIN_TOKEN; // install-agent.sh falls back to it
  const result = spawnSync(command, args, { encoding: 'utf8', env, timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const runScript = (script: string, args: string[]): RunResult => run('bash', [script, ...args]);

function agentArgs(root: string, extra: string[] = []): string[] {
  return ['--controller', 'controller.example.org:9443', '--join-token', TOKEN, '--ca-cert-hash', CA_HASH, '--root', root, ...extra];
}

const mode = (p: string): number => fs.statSync(p).mode & 0o777;
const octal = (m: number): string => m.toString(8).padStart(4, '0');

/** Directive values of a unit file, by "Section.Key" (repeated keys keep every value). */
function parseUnit(text: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = `${section}.${line.slice(0, eq).trim()}`;
    directives.set(key, [...(directives.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return directives;
}

describe('systemd units', () => {
  const common = (d: Map<string, string[]>) => {
    expect(d.get('Service.Type')).toEqual(['simple']);
    expect(d.get('Service.User')).toEqual(['imagelib']);
    expect(d.get('Service.Group')).toEqual(['imagelib']);
    expect(d.get('Service.Restart')).toEqual(['on-failure']);
    expect(d.get('Service.KillSignal')).toEqual(['SIGTERM']);
    expect(d.get('Service.TimeoutStopSec')).toEqual(['30']);
    for (const key of [
      'NoNewPrivileges',
      'ProtectHome',
      'PrivateTmp',
      'ProtectKernelTunables',
      'ProtectKernelModules',
      'ProtectControlGroups',
      'RestrictSUIDSGID',
      'LockPersonality',
    ]) {
      expect([key, d.get(`Service.${key}`)]).toEqual([key, ['yes']]);
    }
    expect(d.get('Service.ProtectSystem')).toEqual(['strict']);
    // V8's JIT needs writable+executable memory.
    expect(d.get('Service.MemoryDenyWriteExecute')).toBeUndefined();
    expect(d.get('Install.WantedBy')).toEqual(['multi-user.target']);
  };

  it('agent unit follows the host contract', () => {
    const d = parseUnit(fs.readFileSync(agentUnit, 'utf8'));
    common(d);
    expect(d.get('Service.ExecStart')).toEqual([
      '/usr/bin/node /opt/imagelib/apps/agent/dist/main.js --config /etc/imagelib/agent.json',
    ]);
    expect(d.get('Service.RestartPreventExitStatus')).toEqual(['3']);
    expect(d.get('Service.ReadWritePaths')).toEqual(['/var/lib/imagelib-agent /var/lib/imagelib']);
    // Binding the unprivileged image service port needs no capability.
    expect(d.get('Service.CapabilityBoundingSet')).toEqual(['']);
    // /proc must keep /proc/meminfo, /proc/cpuinfo... for host facts.
    expect(d.get('Service.ProcSubset')).toBeUndefined();
  });

  it('controller unit follows the host contract', () => {
    const d = parseUnit(fs.readFileSync(controllerUnit, 'utf8'));
    common(d);
    expect(d.get('Service.ExecStart')).toEqual(['/usr/bin/node /opt/imagelib/apps/controller/dist/main.js']);
    expect(d.get('Service.EnvironmentFile')).toEqual(['/etc/imagelib/controller.env']);
    expect(d.get('Service.ReadWritePaths')).toEqual(['/var/lib/imagelib-controller']);
  });

  /**
   * `systemd-analyze verify` on copies of the units. It exits 0 on unknown
   * directives and unparsable values (it only logs "Unknown key ...",
   * "Failed to parse ..."), so any line it prints about our units is a failure.
   * Returns undefined when systemd-analyze is not installed (outside CI).
   */
  function verify(units: Record<string, string>): { status: number | null; problems: string[]; output: string } | undefined {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      const message =
        'systemd-analyze is not installed, so the systemd units were NOT verified. ' +
        'Install it with: apt-get update && apt-get install -y systemd';
      if (process.env.CI === 'true') throw new Error(message);
      console.warn(`\n!!!!!!!!!!!!!!!!!!!!\n!!! ${message}\n!!!!!!!!!!!!!!!!!!!!\n`);
      return undefined;
    }
    const dir = tempDir();
    // verify checks that ExecStart's binary exists: the units use /usr/bin/node.
    const node = fs.existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
    const files = Object.entries(units).map(([name, text]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text.replaceAll('/usr/bin/node ', `${node} `));
      return file;
    });
    const result = run('systemd-analyze', ['verify', '--man=no', ...files]);
    const output = `${result.stdout}${result.stderr}`;
    const names = Object.keys(units);
    const problems = output.split('\n').filter((line) => names.some((name) => line.includes(name)));
    return { status: result.status, problems, output };
  }

  it('both units pass systemd-analyze verify', () => {
    const result = verify({
      'imagelib-agent.service': fs.readFileSync(agentUnit, 'utf8'),
      'imagelib-controller.service': fs.readFileSync(controllerUnit, 'utf8'),
    });
    if (!result) return;
    expect(result.problems).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('systemd-analyze verify catches a misspelt directive and a bad value', () => {
    const good = fs.readFileSync(agentUnit, 'utf8');
    const broken = good
      .replace('ProtectSystem=strict', 'ProtectSystm=strict')
      .replace('RestartPreventExitStatus=3', 'RestartPreventExitStatus=three');
    expect(broken).not.toBe(good);
    const result = verify({ 'imagelib-agent.service': broken });
    if (!result) return;
    expect(result.problems.some((line) => line.includes('ProtectSystm'))).toBe(true);
    expect(result.problems.some((line) => line.includes('three'))).toBe(true);
  });

  it('installed units (prefix substituted) pass systemd-analyze verify', () => {
    const root = tempDir();
    expect(runScript(agentScript, agentArgs(root, ['--prefix', '/srv/il']))).toMatchObject({ status: 0 });
    expect(runScript(controllerScript, ['--root', root, '--prefix', '/srv/il'])).toMatchObject({ status: 0 });
    const unitDir = path.join(root, 'etc/systemd/system');
    const result = verify({
      'imagelib-agent.service': fs.readFileSync(path.join(unitDir, 'imagelib-agent.service'), 'utf8'),
      'imagelib-controller.service': fs.readFileSync(path.join(unitDir, 'imagelib-controller.service'), 'utf8'),
    });
    if (!result) return;
    expect(result.problems).toEqual([]);
    expect(result.status).toBe(0);
  });
});

describe('install-agent.sh', () => {
  it('installs everything under --root with the right modes, config and prefix', () => {
    const root = tempDir();
    const result = runScript(agentScript, agentArgs(root, ['--prefix', '/srv/imagelib/', '--region', 'eu-west-1']));
    expect(result).toMatchObject({ status: 0 });

    // Nothing but etc/ and var/ under the root.
    expect(fs.readdirSync(root).sort()).toEqual(['etc', 'var']);

    const config = path.join(root, 'etc/imagelib/agent.json');
    expect(octal(mode(config))).toBe('0600');
    expect(JSON.parse(fs.readFileSync(config, 'utf8'))).toEqual({
      controllerAddress: 'controller.example.org:9443',
      joinToken: TOKEN,
      caCertHash: CA_HASH,
      stateDir: '/var/lib/imagelib-agent',
      bindAddress: '0.0.0.0',
      region: 'eu-west-1',
      logLevel: 'info',
    });
    expect(octal(mode(path.join(root, 'var/lib/imagelib-agent')))).toBe('0700');
    expect(octal(mode(path.join(root, 'var/lib/imagelib/images')))).toBe('0750');

    const unitFile = path.join(root, 'etc/systemd/system/imagelib-agent.service');
    expect(octal(mode(unitFile))).toBe('0644');
    const unit = parseUnit(fs.readFileSync(unitFile, 'utf8'));
    expect(unit.get('Service.ExecStart')).toEqual([
      '/usr/bin/node /srv/imagelib/apps/agent/dist/main.js --config /etc/imagelib/agent.json',
    ]);
    // Only the prefix changed.
    expect(fs.readFileSync(unitFile, 'utf8')).toBe(
      fs.readFileSync(agentUnit, 'utf8').replaceAll('/opt/imagelib/', '/srv/imagelib/'),
    );

    // With --root: systemctl is only printed.
    expect(result.stdout).toContain('would run: systemctl daemon-reload');
    expect(result.stdout).toContain('would run: systemctl enable --now imagelib-agent');
  });

  it('keeps /opt/imagelib by default and only enables with --no-start', () => {
    const root = tempDir();
    const result = runScript(agentScript, agentArgs(root, ['--no-start', '--hostname', 'host1.example.org']));
    expect(result).toMatchObject({ status: 0 });
    const unitText = fs.readFileSync(path.join(root, 'etc/systemd/system/imagelib-agent.service'), 'utf8');
    expect(unitText).toBe(fs.readFileSync(agentUnit, 'utf8'));
    expect(result.stdout).toContain('would run: systemctl enable imagelib-agent\n');
    expect(result.stdout).not.toContain('--now');
    const config = JSON.parse(fs.readFileSync(path.join(root, 'etc/imagelib/agent.json'), 'utf8')) as Record<string, unknown>;
    expect(config.hostname).toBe('host1.example.org');
    expect(config.region).toBe('default');
  });

  it.each([
    ['missing --controller', ['--join-token', TOKEN, '--ca-cert-hash', CA_HASH], '--controller'],
    ['a bad --controller', ['--controller', 'no-port', '--join-token', TOKEN, '--ca-cert-hash', CA_HASH], '--controller'],
    ['a short --ca-cert-hash', ['--controller', 'c:9443', '--join-token', TOKEN, '--ca-cert-hash', 'sha256:abcd'], '--ca-cert-hash'],
    [
      'a --ca-cert-hash without sha256:',
      ['--controller', 'c:9443', '--join-token', TOKEN, '--ca-cert-hash', '0123456789abcdef'.repeat(4)],
      '--ca-cert-hash',
    ],
    ['missing --join-token', ['--controller', 'c:9443', '--ca-cert-hash', CA_HASH], '--join-token'],
    ['an unknown option', ['--controller', 'c:9443', '--join-token', TOKEN, '--ca-cert-hash', CA_HASH, '--bogus'], '--bogus'],
  ])('rejects %s with exit 2, naming the option', (_what, args, option) => {
    const root = path.join(tempDir(), 'root');
    const result = runScript(agentScript, [...args, '--root', root]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(option);
    expect(fs.existsSync(root)).toBe(false); // nothing written
  });

  it('is idempotent, and refuses a different join token unless --force', () => {
    const root = tempDir();
    const config = path.join(root, 'etc/imagelib/agent.json');

    expect(runScript(agentScript, agentArgs(root))).toMatchObject({ status: 0 });
    const first = fs.readFileSync(config, 'utf8');

    const again = runScript(agentScript, agentArgs(root));
    expect(again).toMatchObject({ status: 0 });
    expect(again.stdout).toContain('agent.json is up to date');
    expect(fs.readFileSync(config, 'utf8')).toBe(first);
    expect(octal(mode(config))).toBe('0600');

    // Another setting may change, the join token is the same.
    expect(runScript(agentScript, agentArgs(root, ['--region', 'r2']))).toMatchObject({ status: 0 });
    expect(JSON.parse(fs.readFileSync(config, 'utf8'))).toMatchObject({ region: 'r2', joinToken: TOKEN });
    const withRegion = fs.readFileSync(config, 'utf8');

    const otherToken = ['--controller', 'controller.example.org:9443', '--join-token', 'other.token123', '--ca-cert-hash', CA_HASH, '--root', root];
    const refused = runScript(agentScript, otherToken);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('different join token');
    expect(refused.stderr).toContain('--force');
    expect(fs.readFileSync(config, 'utf8')).toBe(withRegion);

    const forced = runScript(agentScript, [...otherToken, '--force']);
    expect(forced).toMatchObject({ status: 0 });
    expect(JSON.parse(fs.readFileSync(config, 'utf8'))).toMatchObject({ joinToken: 'other.token123' });
    expect(octal(mode(config))).toBe('0600');
  });

  it('prints usage with --help', () => {
    const result = runScript(agentScript, ['--help']);
    expect(result.status).toBe(0);
    for (const option of ['--controller', '--join-token', '--ca-cert-hash', '--region', '--prefix', '--root', '--no-start', '--force']) {
      expect(result.stdout).toContain(option);
    }
  });
});

describe('install-controller.sh', () => {
  it('installs everything under --root with the right modes, env file and prefix', () => {
    const root = tempDir();
    const install = (...tlsSans: string[]): RunResult =>
      runScript(controllerScript, [
        ...['--root', root, '--prefix', '/srv/imagelib', '--http-port', '8081', '--grpc-port', '9444'],
        ...tlsSans.flatMap((san) => ['--tls-san', san]),
      ]);
    const result = install('controller.example.org', '192.0.2.10');
    expect(result).toMatchObject({ status: 0 });
    expect(fs.readdirSync(root).sort()).toEqual(['etc', 'var']);

    const envFile = path.join(root, 'etc/imagelib/controller.env');
    expect(octal(mode(envFile))).toBe('0640');
    const env = Object.fromEntries(
      fs
        .readFileSync(envFile, 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(env).toEqual({
      IMAGELIB_DATA_DIR: '/var/lib/imagelib-controller',
      IMAGELIB_HTTP_HOST: '0.0.0.0',
      IMAGELIB_HTTP_PORT: '8081',
      IMAGELIB_GRPC_HOST: '0.0.0.0',
      IMAGELIB_GRPC_PORT: '9444',
      IMAGELIB_HEARTBEAT_INTERVAL_MS: '1000',
      IMAGELIB_TLS_SANS: 'controller.example.org,192.0.2.10',
      IMAGELIB_LOG_LEVEL: 'info',
    });
    expect(octal(mode(path.join(root, 'var/lib/imagelib-controller')))).toBe('0700');

    const unitFile = path.join(root, 'etc/systemd/system/imagelib-controller.service');
    expect(parseUnit(fs.readFileSync(unitFile, 'utf8')).get('Service.ExecStart')).toEqual([
      '/usr/bin/node /srv/imagelib/apps/controller/dist/main.js',
    ]);

    expect(result.stdout).toContain('would run: systemctl enable --now imagelib-controller');
    expect(result.stdout).toContain('/var/lib/imagelib-controller/admin-token');
    expect(result.stdout).toContain(
      `curl -H "Authorization: Bearer $(cat /var/lib/imagelib-controller/admin-token)" -X POST http://`,
    );
    expect(result.stdout).toContain(":8081/api/v1/join-tokens -H 'content-type: application/json' -d '{}'");

    // Idempotent (the same names, given comma-separated).
    const again = install('controller.example.org,192.0.2.10');
    expect(again).toMatchObject({ status: 0 });
    expect(again.stdout).toContain('controller.env is up to date');
  });

  it.each([
    [['--http-port', '70000'], '--http-port'],
    [['--grpc-port', 'x'], '--grpc-port'],
    [['--tls-san', 'bad name'], '--tls-san'],
    [['--log-level', 'loud'], '--log-level'],
  ])('rejects %j with exit 2, naming the option', (args, option) => {
    const root = path.join(tempDir(), 'root');
    const result = runScript(controllerScript, [...args, '--root', root]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(option);
    expect(fs.existsSync(root)).toBe(false);
  });
});

describe('install scripts are clean shell', () => {
  it.each([agentScript, controllerScript, commonScript])('%s parses and passes shellcheck (when installed)', (script) => {
    expect(run('bash', ['-n', script]).status).toBe(0);
    if (!commandAvailable('shellcheck', 'shellcheck')) return;
    // -x: follow the scripts into install-common.sh, which they source.
    const result = run('shellcheck', ['-x', script]);
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });
});
