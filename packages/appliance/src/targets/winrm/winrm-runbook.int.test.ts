import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { firewallDefaultInboundBlock } from '../../checks/windows/security/firewall-default-inbound-block';
import { firewallProfilesEnabled } from '../../checks/windows/security/firewall-profiles-enabled';
import { FIREWALL_COLLECTOR } from '../../checks/windows/security/firewall-profiles';
import { executeRunbook } from '../../runbooks/executor';
import { createHostLocks } from '../../runbooks/host-locks';
import { firewallProfilesRunbook } from '../../runbooks/windows/firewall-profiles';
import { createWinrmTarget } from './winrm';
import { type Reply, selfSignedCertificate, startWinrmStandIn, type WsmanRequest } from './winrm-server.testkit';

/**
 * A Windows runbook executed through the winrm target: every phase is a PowerShell script sent as a
 * Command, answered by the stand-in with the output a Windows host would print (written from the
 * runbook's documented JSON formats, not recorded from Windows).
 */

const PASSWORD = 'Winter2026!-not-real';
const profiles = (publicEnabled: boolean) =>
  ['Domain', 'Private', 'Public'].map((name) => ({
    name,
    enabled: name === 'Public' && !publicEnabled ? 'False' : 'True',
    defaultInboundAction: 'Block',
    defaultOutboundAction: 'Allow',
  }));

let directory: string;
let certificate: { cert: string; key: string };
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'osiris-winrm-rb-'));
  certificate = selfSignedCertificate(directory, 'fs01');
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Answers each phase by what its script is; the Public profile is off until remediation ran. */
function windowsHost() {
  let isRepaired = false;
  let script = '';
  const phases: string[] = [];
  const phaseOf = (text: string): string => {
    if (text === FIREWALL_COLLECTOR) return 'check';
    if (text.includes('$changed = @()')) return 'remediate';
    if (text.includes('needed = (')) return 'detect';
    if (text.includes('verified = (')) return 'verify';
    if (text.includes('[ordered]@{ profiles = @(Get-NetFirewallProfile')) return 'captureState';
    return 'unknown';
  };
  const outputOf = (phase: string): string => {
    switch (phase) {
      case 'check':
        return `${JSON.stringify({ profiles: profiles(isRepaired) })}\r\n`;
      case 'detect':
        return '{"needed":true,"failing":["Public"]}\r\n';
      case 'remediate':
        isRepaired = true;
        return '{"changed":["Public.Enabled"]}\r\n';
      case 'verify':
        return '{"verified":true,"failing":[]}\r\n';
      case 'captureState':
        return `${JSON.stringify({ profiles: profiles(isRepaired) })}\r\n`;
      default:
        return '{"collectorError":"unexpected script"}\r\n';
    }
  };
  const handler = (request: WsmanRequest): Reply => {
    const action = request.action.split('/').at(-1);
    if (action === 'Create') return { fixture: 'create-shell.response.xml' };
    if (action === 'Command') {
      script = request.script ?? '';
      return { fixture: 'command.response.xml' };
    }
    if (action === 'Receive') {
      const phase = phaseOf(script);
      phases.push(phase);
      return { output: { stdout: outputOf(phase), exitCode: phase === 'unknown' ? 1 : 0 } };
    }
    if (action === 'Signal') return { fixture: 'signal.response.xml' };
    if (action === 'Delete') return { fixture: 'delete-shell.response.xml' };
    return { status: 400 };
  };
  return { handler, phases };
}

it('runs a Windows runbook phase by phase over WinRM and succeeds once the checks pass again', async () => {
  const host = windowsHost();
  const server = await startWinrmStandIn({ certificate, password: PASSWORD, handler: host.handler });
  const target = createWinrmTarget({
    hostId: '00000000-0000-4000-8000-000000000002',
    hostname: 'fs01',
    host: '127.0.0.1',
    port: server.port,
    username: 'svc-osiris@corp.example',
    password: PASSWORD,
    pins: { get: () => null, pin: () => undefined },
    connectTimeoutMs: 5_000,
  });
  try {
    const execution = await executeRunbook({
      runbook: firewallProfilesRunbook,
      target,
      checks: [firewallProfilesEnabled, firewallDefaultInboundBlock],
      params: {},
      policy: { allowDisruptive: false, inMaintenanceWindow: false, allowReboot: false },
      hostLocks: createHostLocks(),
    });
    expect(execution.outcome).toBe('success');
    expect(host.phases).toEqual(['detect', 'captureState', 'remediate', 'check', 'check', 'verify', 'captureState']);
    expect(execution.stateDiff.length).toBeGreaterThan(0);
    // Every phase got the PowerShell prelude with the state directory on the Windows host.
    const commands = server.requests.filter((r) => r.action.endsWith('/Command'));
    expect(
      commands.filter((r) => r.script?.startsWith("$env:RB_STATE_DIR = 'C:\\ProgramData\\OsirisCare\\runbooks\\")),
    ).toHaveLength(5);
    expect(server.ntlm.authenticated[0]).toEqual({ user: 'svc-osiris@corp.example', domain: '' });
  } finally {
    await target.close();
    await server.close();
  }
});
