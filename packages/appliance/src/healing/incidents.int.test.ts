import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../store';
import { patternReports } from '../sync/patterns';
import { createIncidentsService } from './incidents';

const dirs: string[] = [];
const stores: ReturnType<typeof openStore>[] = [];
function open(dir?: string) {
  const path = dir ?? mkdtempSync(join(tmpdir(), 'osiris-incidents-'));
  if (!dir) dirs.push(path);
  const store = openStore(path);
  stores.push(store);
  return { dir: path, store, incidents: createIncidentsService({ store }) };
}
afterEach(() => {
  for (const store of stores.splice(0)) if (store.db.open) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const CHECK = 'linux.ssh.permit-empty-passwords';
const result = (
  status: 'pass' | 'fail' | 'error' | 'excepted',
  minute: number,
  reason = 'PermitEmptyPasswords is yes',
) => ({
  hostId: 'host-1',
  hostname: 'ehr-db-01',
  checkId: CHECK,
  status,
  reason,
  observed: { permitemptypasswords: status === 'pass' ? 'no' : 'yes' },
  finishedAt: new Date(Date.UTC(2026, 10, 30, 10, minute)),
});

describe('incidents in SQLite', () => {
  it('opens on a failed result with the catalog severity, updates while failing, closes on pass', () => {
    const { incidents } = open();
    const opened = incidents.recordResult(result('fail', 0));
    expect(opened.change).toBe('opened');
    expect(opened.incident).toMatchObject({ status: 'open', severity: 'high', incidentType: 'drift', occurrences: 1 });
    expect(opened.incident?.observed).toEqual({ permitemptypasswords: 'yes' });

    const updated = incidents.recordResult(result('fail', 5, 'PermitEmptyPasswords is yes (drop-in 50-x.conf)'));
    expect(updated).toMatchObject({ change: 'updated', incident: { incidentId: opened.incident?.incidentId } });
    expect(updated.incident?.occurrences).toBe(2);
    expect(incidents.recordResult(result('error', 7)).change).toBe('none');
    // Excepted: neither updated nor closed; the incident waits for the exception to end.
    expect(incidents.recordResult(result('excepted', 8))).toMatchObject({
      change: 'none',
      incident: { incidentId: opened.incident?.incidentId, occurrences: 2 },
    });
    expect(incidents.recordResult({ ...result('excepted', 9), checkId: 'linux.ssh.password-auth' })).toEqual({
      change: 'none',
      incident: null,
    });

    const closed = incidents.recordResult(result('pass', 10));
    expect(closed.change).toBe('closed');
    expect(closed.incident).toMatchObject({ status: 'closed', closedAt: '2026-11-30T10:10:00.000Z' });
    expect(incidents.recordResult(result('pass', 15))).toEqual({ change: 'none', incident: null });
    expect(incidents.listOpen()).toEqual([]);
  });

  it('opens a new incident when the check fails again after closing, and counts the pattern twice', () => {
    const { incidents } = open();
    const first = incidents.recordResult(result('fail', 0)).incident;
    incidents.recordResult(result('pass', 5));
    const second = incidents.recordResult(result('fail', 10)).incident;
    expect(second?.incidentId).not.toBe(first?.incidentId);
    expect(second?.patternSignature).toBe(first?.patternSignature);
    expect(incidents.listOpen().map((i) => i.incidentId)).toEqual([second?.incidentId]);
    expect(incidents.patternStats(second?.patternSignature ?? '')?.occurrences).toBe(2);
  });

  it('counts every attempt but each incident’s fix once, and ignores a re-recorded attempt id', () => {
    const { incidents } = open();
    const incident = incidents.recordResult(result('fail', 0)).incident;
    if (!incident) throw new Error('no incident');
    const attempt = (outcome: 'success' | 'failure', tier: 'L1' | 'L2', extra = {}) =>
      incidents.recordAttempt({
        incidentId: incident.incidentId,
        tier,
        runbookId: `rb-${CHECK}`,
        outcome,
        startedAt: new Date(Date.UTC(2026, 10, 30, 10, 1, 0)),
        finishedAt: new Date(Date.UTC(2026, 10, 30, 10, 1, 4)),
        ...extra,
      });
    attempt('failure', 'L1');
    expect(attempt('success', 'L1', { attemptId: 'attempt-fixed' }).isRecorded).toBe(true);
    expect(attempt('success', 'L1', { attemptId: 'attempt-fixed' }).isRecorded).toBe(false);
    attempt('success', 'L2');
    attempt('success', 'L1', { isDryRun: true });

    expect(incidents.patternStats(incident.patternSignature)).toMatchObject({
      l1Attempts: 2,
      l1Successes: 1,
      l2Attempts: 1,
      l2Successes: 0,
      totalFixDurationMs: 4_000,
      lastFixRunbookId: `rb-${CHECK}`,
    });
    expect(incidents.get(incident.incidentId)?.fixedTier).toBe('L1');
    expect(incidents.attempts(incident.incidentId).map((a) => [a.tier, a.outcome, a.isDryRun])).toEqual([
      ['L1', 'failure', false],
      ['L1', 'success', false],
      ['L2', 'success', false],
      ['L1', 'success', true],
    ]);
  });

  it('keeps incidents, attempts and statistics across a restart', () => {
    const first = open();
    const incident = first.incidents.recordResult(result('fail', 0)).incident;
    first.incidents.recordAttempt({
      incidentId: incident?.incidentId ?? '',
      tier: 'L1',
      outcome: 'success',
      startedAt: new Date(),
      finishedAt: new Date(),
    });
    first.store.close();
    const second = open(first.dir);
    expect(second.incidents.listOpen()).toEqual([incident ? { ...incident, fixedTier: 'L1' } : null]);
    expect(second.incidents.recordResult(result('fail', 5)).change).toBe('updated');
    expect(second.incidents.patternStats(incident?.patternSignature ?? '')?.l1Successes).toBe(1);
  });

  it('refuses a second open incident for the same host and check even from raw SQL', () => {
    const { store, incidents } = open();
    const incident = incidents.recordResult(result('fail', 0)).incident;
    expect(() =>
      store.db
        .prepare(
          `INSERT INTO incidents (incident_id, host_id, hostname, check_id, incident_type, severity, status, reason,
             observed, pattern_signature, occurrences, opened_at, last_seen_at)
           SELECT 'other', host_id, hostname, check_id, incident_type, severity, status, reason, observed,
             pattern_signature, 1, opened_at, last_seen_at FROM incidents WHERE incident_id = ?`,
        )
        .run(incident?.incidentId),
    ).toThrow(/UNIQUE constraint failed/);
  });

  it('keeps one open incident and one counted fix when several processes record at once', async () => {
    const { dir, store } = open();
    store.close();
    const root = join(import.meta.dirname, '..');
    const startAt = Date.now() + 1_500;
    // Each process opens its own connection, waits for a common start, then races the others.
    const script = `
      import { openStore } from ${JSON.stringify(join(root, 'store', 'index.ts'))};
      import { createIncidentsService } from ${JSON.stringify(join(root, 'healing', 'incidents.ts'))};
      const store = openStore(${JSON.stringify(dir)});
      const incidents = createIncidentsService({ store });
      while (Date.now() < ${startAt}) {}
      for (let i = 0; i < 60; i += 1) {
        const { incident } = incidents.recordResult({ hostId: 'host-1', hostname: 'h', checkId: '${CHECK}',
          status: 'fail', reason: 'attempt ' + i, observed: { i }, finishedAt: new Date() });
        incidents.recordAttempt({ incidentId: incident.incidentId, tier: 'L1', outcome: 'success',
          startedAt: new Date(), finishedAt: new Date() });
      }
      // Then flap another check, so incidents open and close while the others do the same.
      let opened = 0;
      for (let i = 0; i < 150; i += 1) {
        const { change } = incidents.recordResult({ hostId: 'host-1', hostname: 'h', checkId: 'linux.kernel.aslr',
          status: i % 2 ? 'pass' : 'fail', reason: 'aslr off', observed: {}, finishedAt: new Date() });
        if (change === 'opened') opened += 1;
      }
      store.close();
      console.log(opened);`;
    const run = promisify(execFile);
    const outputs = await Promise.all(
      [1, 2, 3, 4].map(() => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script])),
    );
    const opened = outputs.reduce((sum, { stdout }) => sum + Number(stdout.trim()), 0);
    const after = open(dir);
    const flapped = after.store.db
      .prepare("SELECT COUNT(*) AS n, SUM(status = 'open') AS open FROM incidents WHERE check_id = 'linux.kernel.aslr'")
      .get() as { n: number; open: number };
    expect(flapped.n).toBe(opened);
    expect(flapped.open).toBeLessThanOrEqual(1);
    const all = after.store.db
      .prepare('SELECT status, occurrences, pattern_signature FROM incidents WHERE check_id = ?')
      .all(CHECK) as {
      status: string;
      occurrences: number;
      pattern_signature: string;
    }[];
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'open', occurrences: 240 });
    expect(after.incidents.patternStats(all[0]?.pattern_signature ?? '')).toMatchObject({
      occurrences: 1,
      l1Attempts: 240,
      l1Successes: 1,
    });
  });

  it('counts L2 fixes per runbook and parameters for the learning loop, one fix per incident', () => {
    const { store, incidents } = open();
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 11, minute));
    const attempt = (incidentId: string, outcome: 'success' | 'failure', params: unknown, extra = {}) =>
      incidents.recordAttempt({
        incidentId,
        tier: 'L2',
        runbookId: 'rb-linux.ssh.permit-empty-passwords',
        outcome,
        params,
        startedAt: at(0),
        finishedAt: at(1),
        ...extra,
      });
    for (let round = 0; round < 3; round++) {
      const incident = incidents.recordResult(result('fail', round * 10)).incident;
      if (!incident) throw new Error('no incident');
      attempt(incident.incidentId, 'failure', { reload: true, mode: 'strict' });
      // Parameters in another key order are the same parameters.
      attempt(incident.incidentId, 'success', { mode: 'strict', reload: true });
      // A second success on the same incident is not a second fix; a dry run is not an attempt.
      attempt(incident.incidentId, 'success', { mode: 'strict', reload: true });
      attempt(incident.incidentId, 'success', { mode: 'strict', reload: true }, { isDryRun: true });
      incidents.recordResult(result('pass', round * 10 + 5));
    }
    const [report, ...rest] = patternReports(store);
    expect(rest).toEqual([]);
    expect(report).toMatchObject({
      checkId: CHECK,
      incidentType: 'drift',
      occurrences: 3,
      l2Attempts: 9,
      l2Successes: 3,
    });
    expect(report?.fixes).toEqual([
      {
        tier: 'L2',
        runbookId: 'rb-linux.ssh.permit-empty-passwords',
        params: { mode: 'strict', reload: true },
        attempts: 9,
        successes: 3,
      },
    ]);
  });
});
