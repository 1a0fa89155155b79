import { CHECK_ID } from '@osiris/protocol';
import { describe, expect, it } from 'vitest';
import { agentResultAsCheckRun, evidenceHostname, workstationCheckId } from './agent-evidence';

const AGENT_ID = '0193a0c2-7d3e-7a41-9f00-0000000000bb';
const row = (status: string, extra: Record<string, unknown> = {}) => ({
  agentId: AGENT_ID,
  seq: 7,
  checkId: 'bitlocker_status',
  status,
  detectedAt: '2026-11-30T23:59:59.999999999Z',
  receivedAt: '2026-12-01T10:00:00.000Z',
  body: JSON.stringify({ seq: '7', actual: 'off', observed: { protection_status: '0' }, ...extra }),
  hostname: 'pc-7',
  osFamily: 'WINDOWS',
});

describe('agent results as check runs', () => {
  it('names agent checks <os>.workstation.<check> in kebab-case, valid catalog ids', () => {
    expect(workstationCheckId('WINDOWS', 'bitlocker_status')).toBe('windows.workstation.bitlocker-status');
    expect(workstationCheckId('MACOS', 'file_vault__on_')).toBe('macos.workstation.file-vault-on');
    expect(workstationCheckId('LINUX', '__')).toBe('linux.workstation.unknown');
    expect(workstationCheckId('UNSPECIFIED', 'firewall')).toBeNull();
    for (const id of ['a_b_c', 'X.Y', `${'z_'.repeat(40)}`]) expect(workstationCheckId('LINUX', id)).toMatch(CHECK_ID);
  });

  it('keeps the agent detection time, maps statuses and leaves UNSUPPORTED out', () => {
    const run = agentResultAsCheckRun(row('FAIL'));
    expect(run).toMatchObject({
      hostId: AGENT_ID,
      hostname: 'pc-7',
      checkId: 'windows.workstation.bitlocker-status',
      status: 'fail',
      reason: 'off',
      observed: { agentSeq: 7, agentDetectedAt: '2026-11-30T23:59:59.999999999Z', protection_status: '0' },
    });
    expect(run?.startedAt.toISOString()).toBe('2026-11-30T23:59:59.999Z');
    expect(run?.finishedAt).toEqual(run?.startedAt);
    expect(agentResultAsCheckRun(row('ERROR', { error: { code: 'TIMEOUT', message: 'timed out' } }))).toMatchObject({
      status: 'error',
      reason: 'timed out',
      observed: { errorCode: 'TIMEOUT' },
    });
    expect(agentResultAsCheckRun(row('PASS'))?.status).toBe('pass');
    expect(agentResultAsCheckRun(row('UNSUPPORTED'))).toBeNull();
    expect(agentResultAsCheckRun({ ...row('PASS'), osFamily: 'UNSPECIFIED' })).toBeNull();
  });

  it('makes host names evidence can hold', () => {
    expect(evidenceHostname('  büro-pc ', AGENT_ID)).toBe('b?ro-pc');
    expect(evidenceHostname('', AGENT_ID)).toBe(AGENT_ID);
  });
});
