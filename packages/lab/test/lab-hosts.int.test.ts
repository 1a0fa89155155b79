import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname as machineHostname } from 'node:os';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab } from '../src/hosts/lab';
import type { LabHost, LabHostInfo } from '../src/hosts/lab-host';
import { waitForExit } from '../src/hosts/proc';

const SSH_READY_TIMEOUT_MS = 3_000;

interface SshOutcome {
  stdout: string;
  hostKey: string;
}

/** Connects with the lab run's key, runs one command, returns its output and the host key it presented. */
function sshExec(info: LabHostInfo, command: string, readyTimeoutMs = 10_000): Promise<SshOutcome> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKey = '';
    client.on('error', reject);
    client.on('ready', () => {
      client.exec(command, (error, stream) => {
        if (error) return reject(error);
        let stdout = '';
        stream.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
        });
        stream.stderr.resume();
        stream.on('close', () => {
          client.end();
          resolve({ stdout, hostKey });
        });
      });
    });
    client.connect({
      host: info.ip,
      port: info.sshPort,
      username: info.user,
      privateKey: readFileSync(info.privateKeyPath),
      readyTimeout: readyTimeoutMs,
      hostVerifier: (key: Buffer) => {
        hostKey = key.toString('base64');
        return true;
      },
    });
  });
}

/** Tries password authentication only; resolves with the error and the methods the server still offered. */
function tryPassword(info: LabHostInfo, password: string): Promise<{ error: Error; methodsOffered: string[] }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let methodsOffered: string[] = [];
    let attempts = 0;
    client.on('ready', () => {
      client.end();
      reject(new Error('password authentication was accepted'));
    });
    client.on('error', (error) => resolve({ error, methodsOffered }));
    client.connect({
      host: info.ip,
      port: info.sshPort,
      username: info.user,
      readyTimeout: 10_000,
      authHandler: (methodsLeft, _partial, next) => {
        if (methodsLeft) methodsOffered = methodsLeft;
        attempts += 1;
        if (attempts > 2) return next(false as never);
        return next({ type: 'password', username: info.user, password });
      },
    });
  });
}

function run(file: string, args: string[]): string {
  return execFileSync(file, args, { encoding: 'utf8' });
}

function expectNothingLeft(info: LabHostInfo): void {
  expect(run('ip', ['netns', 'list'])).not.toContain(info.name);
  expect(run('ip', ['-o', 'link', 'show'])).not.toContain(`${info.name}-`);
  expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(info.stateDir);
  expect(
    run('ps', ['-eo', 'pid,args'])
      .split('\n')
      .filter((line) => line.includes(info.name)),
  ).toEqual([]);
  expect(existsSync(info.stateDir)).toBe(false);
}

async function timed<T>(label: string, timings: Record<string, number[]>, action: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  const result = await action();
  timings[label] = [...(timings[label] ?? []), Math.round(performance.now() - startedAt)];
  return result;
}

describe('lab hosts', () => {
  const lab = createLab();
  const timings: Record<string, number[]> = {};
  const live = new Set<LabHost>();
  let hostA: LabHost;
  let hostB: LabHost;

  beforeAll(async () => {
    await lab.sweep(); // hosts of an earlier run that crashed; never touches live hosts of other processes
    hostA = await timed('create', timings, () => lab.createHost());
    live.add(hostA);
    hostB = await timed('create', timings, () => lab.createHost());
    live.add(hostB);
  }, 120_000);

  afterAll(async () => {
    for (const host of live) await host.destroy().catch(() => undefined);
    await lab.sweep();
    process.stdout.write(`lab host timings (ms): ${JSON.stringify(timings)}\n`);
  }, 120_000);

  it('gives each host its own hostname and address', async () => {
    for (const host of [hostA, hostB]) {
      expect((await host.exec('hostname')).stdout.trim()).toBe(host.info.name);
      expect((await host.exec('ip -4 -o addr show dev eth0')).stdout).toContain(`${host.info.ip}/24`);
    }
    expect(hostA.info.name).not.toBe(hostB.info.name);
    expect(hostA.info.ip).not.toBe(hostB.info.ip);
    expect(machineHostname()).not.toBe(hostA.info.name);
  });

  it('runs sshd with its own host key and accepts the run key from the root namespace', async () => {
    const viaA = await sshExec(hostA.info, 'hostname');
    const viaB = await sshExec(hostB.info, 'hostname');
    expect(viaA.stdout.trim()).toBe(hostA.info.name);
    expect(viaB.stdout.trim()).toBe(hostB.info.name);
    expect(viaA.hostKey).not.toBe(viaB.hostKey);
    const keyFileA = (await hostA.exec('cat /etc/ssh/ssh_host_ed25519_key.pub')).stdout.split(' ')[1];
    expect(Buffer.from(viaA.hostKey, 'base64').toString('base64')).toBe(keyFileA);
    const machineKey = existsSync('/etc/ssh/ssh_host_ed25519_key.pub')
      ? readFileSync('/etc/ssh/ssh_host_ed25519_key.pub', 'utf8').split(' ')[1]
      : '';
    expect(keyFileA).not.toBe(machineKey);
  }, 60_000);

  it('keeps a file written to /etc in host A out of host B and out of this machine', async () => {
    const marker = `/etc/osl-marker-${process.pid}-${Date.now()}`;
    expect((await hostA.exec(`echo written-in-a > ${marker}`)).exitCode).toBe(0);
    expect((await hostA.exec(`cat ${marker}`)).stdout.trim()).toBe('written-in-a');
    expect((await hostB.exec(`test -e ${marker}`)).exitCode).toBe(1);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses password authentication even for a valid password', async () => {
    expect((await hostA.exec('chpasswd', { input: 'root:lab-password-1\n' })).exitCode).toBe(0);
    const { error, methodsOffered } = await tryPassword(hostA.info, 'lab-password-1');
    expect(error.message).toMatch(/authentication methods failed/i);
    expect(methodsOffered).toContain('publickey');
    expect(methodsOffered).not.toContain('password');
  }, 60_000);

  it('drops ssh with a rule in the host nftables and reset() brings back the snapshot', async () => {
    const machineRuleset = run('nft', ['list', 'ruleset']);
    await hostA.exec('touch /etc/osl-after-create /root/osl-after-create');
    const drop = await hostA.exec('nft add rule inet filter input tcp dport 22 drop');
    expect(drop.exitCode).toBe(0);
    const startedAt = Date.now();
    await expect(sshExec(hostA.info, 'hostname', SSH_READY_TIMEOUT_MS)).rejects.toThrow(/timed out/i);
    expect(Date.now() - startedAt).toBeLessThan(SSH_READY_TIMEOUT_MS + 2_000);
    expect((await sshExec(hostB.info, 'hostname')).stdout.trim()).toBe(hostB.info.name);
    expect(run('nft', ['list', 'ruleset'])).toBe(machineRuleset);

    await timed('reset', timings, () => hostA.reset());

    expect((await sshExec(hostA.info, 'hostname')).stdout.trim()).toBe(hostA.info.name);
    expect((await hostA.exec('nft list ruleset')).stdout).not.toContain('drop');
    expect((await hostA.exec('test -e /etc/osl-after-create || test -e /root/osl-after-create')).exitCode).toBe(1);
    expect((await hostA.exec('test -s /etc/ssh/ssh_host_ed25519_key')).exitCode).toBe(0);
  }, 60_000);

  it('destroy() leaves no namespace, veth, process, mount or state dir', async () => {
    for (const host of [hostA, hostB]) {
      await timed('destroy', timings, () => host.destroy());
      live.delete(host);
      expectNothingLeft(host.info);
      await expect(host.exec('true')).rejects.toThrow(/not running/);
    }
  }, 60_000);

  it('sweep() removes a host whose holder was killed and whose handle was lost', async () => {
    // Only the info is kept: the handle is lost, as after a crash.
    const { info } = await lab.createHost();
    const record = JSON.parse(readFileSync(`${info.stateDir}/host.json`, 'utf8')) as { holderPid: number };
    process.kill(record.holderPid, 'SIGKILL');
    await waitForExit([record.holderPid], 10_000); // SIGKILL is delivered asynchronously; on a busy machine the holder lingers

    const report = await lab.sweep();

    expect(report.removedHosts).toContain(info.name);
    expectNothingLeft(info);
  }, 60_000);
});
