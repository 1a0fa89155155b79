import { describe, expect, it } from 'vitest';
import { type CommandRunner, createCommandRunner } from '../src/command-runner';
import { runCheck } from '../src/checks/run-check';

// The real Linux collectors on this machine, read-only: lsblk, nft list, apt-get -s, sshd -T,
// loginctl. Nothing here changes the host's configuration.
const run = createCommandRunner();

/**
 * sshd -T refuses to start without its privilege separation directory, which exists only while
 * the ssh service runs. Give it one in a private mount namespace instead of creating it here.
 */
const withPrivateRun: CommandRunner = (file, args, options) =>
  run(
    'unshare',
    ['-m', 'sh', '-c', 'mount -t tmpfs tmpfs /run && mkdir -m 0755 /run/sshd && exec "$0" "$@"', file, ...args],
    options,
  );

describe('Linux collectors on this machine', () => {
  it('finds the device mounted at / and judges whether it is encrypted', async () => {
    const result = await runCheck({ os: 'linux', run }, 'disk_encryption');
    const rootSource = (await run('findmnt', ['-n', '-o', 'SOURCE', '/'])).stdout.trim();
    expect(['PASS', 'FAIL']).toContain(result.status);
    expect(rootSource).toContain(result.observed.root_device);
    expect(result.status === 'PASS').toBe(result.observed.root_chain?.includes('(crypt)'));
  });

  it('reads the live nftables ruleset', async () => {
    const result = await runCheck({ os: 'linux', run }, 'firewall');
    expect(['PASS', 'FAIL']).toContain(result.status);
    expect(result.observed.nft_input_chains).toBeDefined();
  });

  it('counts pending apt upgrades like apt itself', async () => {
    const result = await runCheck({ os: 'linux', run }, 'os_updates');
    const apt = (await run('apt-get', ['-s', '-o', 'Debug::NoLocking=1', 'upgrade'])).stdout;
    expect(['PASS', 'FAIL']).toContain(result.status);
    expect(result.observed.pending_updates).toBe(String(apt.split('\n').filter((l) => l.startsWith('Inst ')).length));
  });

  it('reads the effective sshd configuration with sshd -T', async () => {
    const result = await runCheck({ os: 'linux', run: withPrivateRun }, 'ssh_server');
    const effective = (
      await run('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs tmpfs /run && mkdir /run/sshd && sshd -T'])
    ).stdout;
    const permitRootLogin = /^permitrootlogin (\S+)$/m.exec(effective)?.[1];
    expect(['PASS', 'FAIL']).toContain(result.status);
    expect(result.observed.permitrootlogin).toBe(permitRootLogin);
  });

  it('reports sshd -T failing without its runtime directory as ERROR, not as a verdict', async () => {
    const result = await runCheck({ os: 'linux', run }, 'ssh_server');
    if (result.status === 'ERROR') expect(result.error?.message).toMatch(/privilege separation|exit/);
    else expect(['PASS', 'FAIL']).toContain(result.status); // the ssh service is running on this host
  });

  it('answers the screen lock without a desktop session as not applicable', async () => {
    const result = await runCheck({ os: 'linux', run }, 'screen_lock');
    expect(['PASS', 'FAIL', 'UNSUPPORTED']).toContain(result.status);
    if (result.status === 'UNSUPPORTED') expect(result.error?.code).toBe('NO_DESKTOP_SESSION');
  });

  it('stops a command at its timeout', async () => {
    const started = Date.now();
    const output = await run('sleep', ['5'], { timeoutMs: 200 });
    expect(output.isTimedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await run('no-such-program-osiris', [])).isMissing).toBe(true);
  });
});
