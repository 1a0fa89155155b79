import { Buffer } from 'node:buffer';
import { checkById, WINDOWS_CHECKS } from '@osiris/protocol';
import { describe, expect, it } from 'vitest';
import { powershellProblems } from '../../checks/windows/powershell-syntax.testkit';
import { RunbookDefinition } from '../runbook';
import { INSTALL_TASK_SCRIPT } from './critical-updates';
import { WINDOWS_RUNBOOKS } from './index';

const PHASES = ['detect', 'remediate', 'verify', 'captureState', 'rollback'] as const;

const phasesOf = (runbook: RunbookDefinition): [string, string][] =>
  PHASES.flatMap((name) => {
    const script = runbook[name];
    if (script === undefined) return [];
    expect(typeof script, `${runbook.id} ${name} has no per-distribution variants on Windows`).toBe('string');
    return [[name, String(script)]];
  });

describe('Windows runbooks', () => {
  it('parse with RunbookDefinition and are for the windows platform', () => {
    for (const runbook of WINDOWS_RUNBOOKS) {
      const result = RunbookDefinition.safeParse(runbook);
      expect(result.error, runbook.id).toBeUndefined();
      expect(runbook.platform).toBe('windows');
    }
  });

  it('have unique ids of the form rb-<first repaired Windows check>', () => {
    const ids = WINDOWS_RUNBOOKS.map((runbook) => runbook.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const runbook of WINDOWS_RUNBOOKS) expect(runbook.id).toBe(`rb-${runbook.checks[0]}`);
  });

  it('repair only existing, healable Windows checks', () => {
    for (const runbook of WINDOWS_RUNBOOKS) {
      for (const checkId of runbook.checks) {
        const check = checkById(checkId);
        expect(check, `${runbook.id} repairs unknown ${checkId}`).toBeDefined();
        expect(check?.platform).toBe('windows');
        expect(check?.healable, checkId).toBe(true);
      }
    }
  });

  it('cover every healable Windows check exactly once', () => {
    const repaired = WINDOWS_RUNBOOKS.flatMap((runbook) => runbook.checks);
    expect(new Set(repaired).size).toBe(repaired.length);
    const healable = WINDOWS_CHECKS.filter((check) => check.healable).map((check) => check.id);
    expect([...repaired].sort()).toEqual([...healable].sort());
  });

  it('accept their default parameters and refuse unknown ones', () => {
    for (const runbook of WINDOWS_RUNBOOKS) {
      expect(runbook.params.safeParse({}).success, runbook.id).toBe(true);
      expect(runbook.params.safeParse({ command: 'Remove-Item C:\\' }).success, runbook.id).toBe(false);
    }
  });

  it('bound the screen-lock parameter to at most 900 seconds', () => {
    const screenLock = WINDOWS_RUNBOOKS.find((runbook) => runbook.id === 'rb-windows.session.screen-lock');
    expect(screenLock?.params.parse({})).toEqual({ inactivitySeconds: 900 });
    expect(screenLock?.params.safeParse({ inactivitySeconds: 3600 }).success).toBe(false);
    expect(String(screenLock?.remediate)).toContain('$env:P_INACTIVITY_SECONDS');
  });

  it('carry the reference flags for the disruptive ones', () => {
    const byId = new Map(WINDOWS_RUNBOOKS.map((runbook) => [runbook.id, runbook]));
    expect(byId.get('rb-windows.patch.critical-updates')).toMatchObject({
      timeoutSeconds: 1800,
      disruptive: true,
      requiresMaintenanceWindow: true,
      requiresReboot: true,
      allowConcurrent: false,
    });
    expect(byId.get('rb-windows.bitlocker.system-drive')).toMatchObject({
      disruptive: true,
      requiresMaintenanceWindow: true,
    });
    expect(byId.get('rb-windows.auth.ntlm-hardening')).toMatchObject({
      requiresReboot: true,
      requiresMaintenanceWindow: true,
    });
    expect(byId.get('rb-windows.uac.enabled')).toMatchObject({
      requiresReboot: true,
      requiresMaintenanceWindow: false,
    });
    expect(byId.get('rb-windows.firewall.profiles-enabled')).toMatchObject({
      timeoutSeconds: 120,
      retries: { max: 2, backoffSeconds: 15 },
    });
    for (const runbook of WINDOWS_RUNBOOKS) {
      if (runbook.requiresReboot)
        expect(runbook.allowConcurrent && runbook.disruptive && !runbook.requiresMaintenanceWindow).toBe(false);
    }
  });

  for (const runbook of WINDOWS_RUNBOOKS) {
    it(`${runbook.id}: every phase is plausible PowerShell printing one JSON object`, () => {
      for (const [name, script] of phasesOf(runbook)) {
        expect(powershellProblems(script), `${runbook.id} ${name}`).toEqual([]);
        expect(script, `${runbook.id} ${name}`).toContain('ConvertTo-Json -InputObject $Value -Compress -Depth 4');
        expect(script).not.toMatch(/Write-Host|\bRestart-Computer\b|\bshutdown(?:\.exe)?\b/);
      }
    });

    it(`${runbook.id}: detect reports needed, verify reports verified, remediate reports changes`, () => {
      expect(String(runbook.detect)).toMatch(/needed = /);
      expect(String(runbook.verify)).toMatch(/verified = /);
      expect(String(runbook.remediate)).toMatch(/changed = /);
      if (runbook.rollback) {
        expect(String(runbook.rollback)).toMatch(/rolledBack = \$true/);
        expect(String(runbook.remediate), 'a rollback needs a backup taken by remediate').toMatch(
          /Save-Backup|\/backup/,
        );
      }
    });
  }

  it('runs the update install from a SYSTEM task whose script is plausible PowerShell too', () => {
    const remediate = String(WINDOWS_RUNBOOKS.find((r) => r.id === 'rb-windows.patch.critical-updates')?.remediate);
    expect(remediate).toContain("New-ScheduledTaskPrincipal -UserId 'SYSTEM'");
    const encoded = remediate.match(/FromBase64String\('([A-Za-z0-9+/=]+)'\)/)?.[1];
    expect(Buffer.from(encoded ?? '', 'base64').toString('utf16le')).toBe(INSTALL_TASK_SCRIPT);
    expect(powershellProblems(INSTALL_TASK_SCRIPT)).toEqual([]);
    expect(INSTALL_TASK_SCRIPT).toContain("MsrcSeverity -eq 'Critical'");
  });

  it('never writes BitLocker recovery passwords into captured state', () => {
    const bitlocker = WINDOWS_RUNBOOKS.find((r) => r.id === 'rb-windows.bitlocker.system-drive');
    expect(String(bitlocker?.captureState)).not.toContain('RecoveryPassword');
    expect(String(bitlocker?.captureState)).toContain('KeyProtectorType');
  });
});
