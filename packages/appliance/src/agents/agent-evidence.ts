import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { JsonValue } from '../checks/check';
import type { CheckRunResult } from '../evidence/evidence-writer';
import type { createIncidentsService } from '../healing/incidents';
import type { Logger } from '../log';
import type { AttemptOutcome } from '../store/incidents.store';
import type { Store } from '../store';
import type { AgentFailure, AgentHealer } from './agent-healer';
import type { AgentResultsStore, HealCommandRow } from './agent-results.store';

const RESULTS_CURSOR_KEY = 'agents.evidenceThroughRowid';
const HEAL_CURSOR_KEY = 'agents.healEvidenceCursor';
const BATCH = 200;
const OS_NAMES: Record<string, string> = { WINDOWS: 'windows', MACOS: 'macos', LINUX: 'linux' };
const STATUSES: Record<string, CheckRunResult['status']> = { PASS: 'pass', FAIL: 'fail', ERROR: 'error' };
const HEAL_OUTCOMES: Record<string, AttemptOutcome> = {
  SUCCEEDED: 'success',
  FAILED: 'failure',
  TIMED_OUT: 'failure',
  REFUSED: 'refused',
  UNSUPPORTED: 'refused',
};

type Incidents = Pick<ReturnType<typeof createIncidentsService>, 'recordResult' | 'recordAttempt' | 'get'>;
type Writer = { append(result: CheckRunResult, alsoInTransaction?: () => void): Promise<unknown> };

/**
 * The catalog id of an agent check: `<os>.workstation.<check>` with the agent's snake_case id in
 * kebab-case (CHECK_ID in the protocol catalog). Null for an agent whose OS is not known.
 */
export function workstationCheckId(osFamily: string, agentCheckId: string): string | null {
  const os = OS_NAMES[osFamily];
  if (!os) return null;
  const check = agentCheckId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${os}.workstation.${check || 'unknown'}`;
}

/** The host name as evidence takes it (printable ASCII, 1..253), else the agent id. */
export function evidenceHostname(hostname: string, agentId: string): string {
  const printable = hostname
    .replace(/[^\x20-\x7e]/g, '?')
    .trim()
    .slice(0, 253)
    .trim();
  return printable || agentId;
}

const asStringMap = (value: unknown): Record<string, string> =>
  value && typeof value === 'object' ? (value as Record<string, string>) : {};

/** A stored agent result as an evidence check run, or null when it is not evidence (UNSUPPORTED, unknown OS). */
export function agentResultAsCheckRun(row: {
  agentId: string;
  seq: number;
  checkId: string;
  status: string;
  detectedAt: string;
  receivedAt: string;
  body: string;
  hostname: string;
  osFamily: string;
}): CheckRunResult | null {
  const status = STATUSES[row.status];
  const checkId = workstationCheckId(row.osFamily, row.checkId);
  if (!status || !checkId) return null;
  const body = JSON.parse(row.body) as Record<string, unknown>;
  const error = body.error as { code?: string; message?: string } | undefined;
  const actual = typeof body.actual === 'string' ? body.actual : '';
  const reason = (status === 'error' ? (error?.message ?? actual) : actual) || `${row.checkId}: ${row.status}`;
  const detectedAt = new Date(row.detectedAt);
  const observed: Record<string, JsonValue> = {
    agentCheckId: row.checkId,
    agentSeq: row.seq,
    agentDetectedAt: row.detectedAt,
    receivedAt: row.receivedAt,
    expected: typeof body.expected === 'string' ? body.expected : '',
    actual,
    errorCode: error?.code ?? null,
    runId: typeof body.runId === 'string' ? body.runId : null,
    trigger: typeof body.trigger === 'string' ? body.trigger : null,
    durationMs: typeof body.durationMs === 'number' ? body.durationMs : null,
    ...asStringMap(body.observed),
  };
  return {
    hostId: row.agentId,
    hostname: evidenceHostname(row.hostname, row.agentId),
    checkId,
    status,
    reason,
    observed,
    evaluatorInput: body as JsonValue,
    startedAt: detectedAt,
    finishedAt: detectedAt,
  };
}

/**
 * A before/after status as evidence names check statuses (`pass`, `fail`, `error`); the agent sends
 * the proto enum's JSON name (`CHECK_STATUS_FAIL`). Anything else is kept lower-cased, unknown: null.
 */
function checkStatusName(status: string | undefined): string | null {
  if (!status) return null;
  const bare = status.replace(/^CHECK_STATUS_/, '');
  return STATUSES[bare] ?? bare.toLowerCase();
}

/** An agent's answer to a heal command as a healing record, or null when its OS is not known. */
function healResultAsCheckRun(
  command: HealCommandRow & { resultAt: string; hostname: string; osFamily: string },
): CheckRunResult | null {
  const checkId = workstationCheckId(command.osFamily, command.checkId);
  if (!checkId || command.result === null) return null;
  const result = JSON.parse(command.result) as Record<string, unknown>;
  const status = command.resultStatus ?? 'UNSPECIFIED';
  const error = result.error as { code?: string; message?: string } | undefined;
  const before = result.before as { status?: string; actual?: string } | undefined;
  const after = result.after as { status?: string; actual?: string } | undefined;
  const output = typeof result.output === 'string' ? result.output : '';
  const startedAt = new Date(typeof result.startedAt === 'string' ? result.startedAt : command.resultAt);
  const finished = new Date(typeof result.finishedAt === 'string' ? result.finishedAt : command.resultAt);
  const finishedAt = finished < startedAt ? startedAt : finished;
  return {
    kind: 'healing',
    hostId: command.agentId,
    hostname: evidenceHostname(command.hostname, command.agentId),
    checkId,
    status: status === 'SUCCEEDED' ? 'pass' : HEAL_OUTCOMES[status] === 'refused' ? 'error' : 'fail',
    reason: error?.message ?? `${command.runbookId}: ${status}`,
    observed: {
      commandId: command.commandId,
      incidentId: command.incidentId,
      tier: command.requiredTier,
      runbookId: command.runbookId,
      outcome: status,
      errorCode: error?.code ?? null,
      before: before ? { status: checkStatusName(before.status), actual: before.actual ?? null } : null,
      after: after ? { status: checkStatusName(after.status), actual: after.actual ?? null } : null,
      // The output tail may hold anything the step printed: only its digest goes into evidence.
      outputSha256: createHash('sha256').update(output, 'utf8').digest('hex'),
      artifactKeys: Object.keys(asStringMap(result.artifacts)).slice(0, 8),
      recoveryKeyWithheld: result.recoveryKeyWithheld === true,
    },
    evaluatorInput: { commandId: command.commandId, result: result as JsonValue },
    startedAt,
    finishedAt,
  };
}

/**
 * Turns what agents report into evidence on the appliance's own chain, like its own check runs:
 * each stored result (in receive order) and each heal result become one bundle, exactly once —
 * the cursor that marks them written moves in the same SQLite transaction as the bundle, together
 * with the incident bookkeeping (a failing result opens an incident, a pass closes it). Active
 * exceptions apply as to the appliance's own checks (the bundle says `excepted` and keeps the
 * verdict); after each pass, failures that opened or updated an incident go to the healer.
 */
export function createAgentEvidencePump(deps: {
  store: Store;
  results: AgentResultsStore;
  writer: Writer;
  incidents: Incidents;
  log: Logger;
  /** Called after bundles were written (wakes the uploader). */
  onWritten?: () => void;
  /** The site's exceptions (`createExceptionSet(...).judge`): an excepted result is recorded so and never healed. */
  judge?: (result: CheckRunResult) => CheckRunResult;
  /** Decides on and queues heal commands for failures recorded on incidents (L1 for agents). */
  healer?: Pick<AgentHealer, 'consider'>;
}) {
  const { store, results, log } = deps;
  let running: Promise<number> | null = null;
  let again = false;
  const counts = { written: 0, healing: 0, unsupported: 0, skipped: 0 };
  /** Failures on incidents written in this pass, by incident (the latest wins). */
  const failures = new Map<string, AgentFailure>();

  /**
   * Appends `run`; a result the bundle schema refuses (a bug or data no evidence can hold) is logged
   * and passed over rather than blocking every later result. Any other error stops the pass: retried.
   */
  async function appendOrSkip(
    run: CheckRunResult,
    what: Record<string, string | number>,
    inTransaction: () => void,
    mark: () => void,
  ): Promise<boolean> {
    try {
      await deps.writer.append(run, inTransaction);
      return true;
    } catch (error) {
      if (!(error instanceof z.ZodError)) throw error;
      counts.skipped++;
      log.error('agent result cannot be written as evidence; skipped', { ...what, checkId: run.checkId, error });
      mark();
      return false;
    }
  }

  async function writeResults(): Promise<number> {
    let written = 0;
    for (;;) {
      const after = Number(store.settings.get(RESULTS_CURSOR_KEY) ?? '0');
      const rows = results.receivedAfter(after, BATCH);
      if (rows.length === 0) return written;
      for (const row of rows) {
        const converted = agentResultAsCheckRun(row);
        const run = converted && deps.judge ? deps.judge(converted) : converted;
        const mark = () => store.settings.set(RESULTS_CURSOR_KEY, String(row.rowid));
        if (!run) {
          if (row.status === 'UNSUPPORTED') counts.unsupported++;
          else {
            counts.skipped++;
            log.warn('agent result not written as evidence', { agentId: row.agentId, seq: row.seq, os: row.osFamily });
          }
          mark();
          continue;
        }
        let recorded: ReturnType<Incidents['recordResult']> | null = null;
        const ok = await appendOrSkip(
          run,
          { agentId: row.agentId, seq: row.seq },
          () => {
            mark();
            recorded = deps.incidents.recordResult(run);
          },
          mark,
        );
        if (!ok) continue;
        noteFailure(row, run, recorded);
        written++;
        counts.written++;
      }
    }
  }

  function noteFailure(
    row: { agentId: string; checkId: string; osFamily: string },
    run: CheckRunResult,
    recorded: ReturnType<Incidents['recordResult']> | null,
  ): void {
    const incident = recorded?.incident;
    const os = OS_NAMES[row.osFamily];
    if (!deps.healer || !incident || !os || run.status !== 'fail') return;
    if (recorded?.change !== 'opened' && recorded?.change !== 'updated') return;
    failures.set(incident.incidentId, {
      agentId: row.agentId,
      agentCheckId: row.checkId,
      os,
      run: { checkId: run.checkId, status: run.status },
      incidentId: incident.incidentId,
    });
  }

  /** Runs after heal results were written, so the healer sees every answered attempt. */
  function healFailures(): void {
    const pending = [...failures.values()];
    failures.clear();
    for (const failure of pending) {
      try {
        deps.healer?.consider(failure);
      } catch (error) {
        log.error('agent heal decision failed', { incidentId: failure.incidentId, error });
      }
    }
  }

  async function writeHealResults(): Promise<number> {
    let written = 0;
    for (;;) {
      const cursor = JSON.parse(store.settings.get(HEAL_CURSOR_KEY) ?? '{"at":"","commandId":""}') as {
        at: string;
        commandId: string;
      };
      const rows = results.answeredAfter(cursor, BATCH);
      if (rows.length === 0) return written;
      for (const command of rows) {
        const mark = () =>
          store.settings.set(HEAL_CURSOR_KEY, JSON.stringify({ at: command.resultAt, commandId: command.commandId }));
        const run = healResultAsCheckRun(command);
        if (!run) {
          mark();
          continue;
        }
        const ok = await appendOrSkip(
          run,
          { agentId: command.agentId, commandId: command.commandId },
          () => {
            mark();
            const incident = command.incidentId ? deps.incidents.get(command.incidentId) : null;
            if (incident)
              deps.incidents.recordAttempt({
                attemptId: command.commandId,
                incidentId: incident.incidentId,
                tier: 'L1',
                runbookId: command.runbookId,
                outcome: HEAL_OUTCOMES[command.resultStatus ?? ''] ?? 'failure',
                startedAt: run.startedAt,
                finishedAt: run.finishedAt,
                error: run.status === 'pass' ? null : run.reason,
                params: command.params,
              });
          },
          mark,
        );
        if (!ok) continue;
        written++;
        counts.healing++;
      }
    }
  }

  async function drain(): Promise<number> {
    let total = 0;
    do {
      again = false;
      total += (await writeResults()) + (await writeHealResults());
      healFailures();
    } while (again);
    if (total > 0) deps.onWritten?.();
    return total;
  }

  return {
    /** Writes everything not yet written; concurrent calls join the running pass (which then goes round again). */
    flush(): Promise<number> {
      if (running) {
        again = true;
        return running;
      }
      running = drain().finally(() => {
        running = null;
      });
      return running;
    },
    /** Counts since start: bundles written, UNSUPPORTED results (not evidence), results skipped. */
    counts: () => ({ ...counts }),
  };
}
