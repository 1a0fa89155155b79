import { readdirSync } from 'node:fs';
import { LINUX_CHECKS } from '@osiris/protocol';
import { describe, expect, it } from 'vitest';
import { LINUX_CHECK_IMPLEMENTATIONS } from '../../checks/linux';
import { RunbookDefinition } from '../runbook';
import { firewallDefaultDenyInput } from './firewall.default-deny-input';
import { LINUX_RUNBOOKS } from '.';

const healable = LINUX_CHECKS.filter((check) => check.healable).map((check) => check.id);

describe('Linux runbook definitions', () => {
  it('all parse with the runbook schema and accept their default parameters', () => {
    for (const runbook of LINUX_RUNBOOKS) {
      expect(RunbookDefinition.safeParse(runbook).success, runbook.id).toBe(true);
      expect(runbook.platform).toBe('linux');
      expect(runbook.params.safeParse({}).success, runbook.id).toBe(true);
    }
  });

  it('are named rb-<check id> after the first check they repair, in a file of that name', () => {
    const files = readdirSync(new URL('.', import.meta.url)).filter((name) => /^[a-z]+\.[a-z0-9-]+\.ts$/.test(name));
    for (const runbook of LINUX_RUNBOOKS) {
      expect(runbook.id).toBe(`rb-${runbook.checks[0]}`);
      expect(files, runbook.id).toContain(`${runbook.id.replace(/^rb-linux\./, '')}.ts`);
    }
    expect(files).toHaveLength(LINUX_RUNBOOKS.length);
    expect(new Set(LINUX_RUNBOOKS.map((r) => r.id)).size).toBe(LINUX_RUNBOOKS.length);
  });

  it('cover every healable Linux check exactly once', () => {
    const covered = LINUX_RUNBOOKS.flatMap((runbook) => runbook.checks);
    for (const checkId of healable)
      expect(
        covered.filter((id) => id === checkId),
        checkId,
      ).toHaveLength(1);
  });

  it('repair only catalog checks that are healable and implemented, so success can be verified', () => {
    const implemented = new Set(LINUX_CHECK_IMPLEMENTATIONS.map((check) => check.id));
    for (const checkId of LINUX_RUNBOOKS.flatMap((runbook) => runbook.checks)) {
      expect(healable, checkId).toContain(checkId);
      expect(implemented.has(checkId), checkId).toBe(true);
    }
  });

  it('never set sshd keywords that could lock the appliance out', () => {
    const forbidden =
      /\brb_sshd_set (AuthenticationMethods|PermitRootLogin|PasswordAuthentication|PubkeyAuthentication|AllowUsers|AllowGroups|DenyUsers|DenyGroups|ListenAddress|Port)\b/i;
    for (const runbook of LINUX_RUNBOOKS) {
      const scripts = [runbook.remediate, runbook.rollback].flatMap((s) =>
        s === undefined ? [] : typeof s === 'string' ? [s] : Object.values(s),
      );
      for (const script of scripts) expect(forbidden.test(script), runbook.id).toBe(false);
    }
  });

  it('roll back every sshd change, since a broken sshd cuts off the appliance', () => {
    for (const runbook of LINUX_RUNBOOKS.filter((r) => r.id.startsWith('rb-linux.ssh.'))) {
      expect(runbook.rollback, runbook.id).toBeDefined();
      expect(runbook.remediate, runbook.id).toContain('"$SSHD" -t -f');
    }
  });

  it('change the firewall only with commit-confirm, whose timer outlasts no phase timeout', () => {
    const runbook = firewallDefaultDenyInput;
    expect(LINUX_RUNBOOKS).toContain(runbook);
    expect(runbook.params.parse({})).toEqual({ confirmSeconds: 30 });
    for (const confirmSeconds of [9, 601, 10.5])
      expect(runbook.params.safeParse({ confirmSeconds }).success).toBe(false);
    const maxConfirmSeconds = 600;
    expect(runbook.params.safeParse({ confirmSeconds: maxConfirmSeconds }).success).toBe(true);
    // The revert must have restored access before a stalled phase times out (see the definition).
    expect(runbook.timeoutSeconds).toBeGreaterThan(maxConfirmSeconds);
    expect(runbook.retries.max).toBe(0);
    expect(runbook.disruptive).toBe(false);
    expect(runbook.allowConcurrent).toBe(false);
    const remediate = runbook.remediate as string;
    // The timer is armed in its own session before any ruleset is loaded.
    const armed = remediate.indexOf('setsid sh -c');
    expect(armed).toBeGreaterThan(remediate.indexOf('nft list ruleset'));
    expect(armed).toBeLessThan(remediate.indexOf('"$NFT" -f "$D/apply.nft"'));
    expect(remediate).toContain('"$P_CONFIRM_SECONDS"');
    expect(runbook.verify).toContain('verified=yes');
    expect(runbook.rollback).toContain('"$NFT" -f "$D/saved.nft"');
  });
});
