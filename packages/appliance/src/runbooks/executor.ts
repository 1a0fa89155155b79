import { randomUUID } from 'node:crypto';
import type { LinuxCheck } from '../checks/check';
import { runCheck } from '../checks/run-check';
import type { Target, TargetErrorCode } from '../targets/target';
import type { HostLocks } from './host-locks';
import { RunbookDefinition, type RunbookScript } from './runbook';
import { DISTRO_PROBE, hasVariants, parseDistroFamily, scriptPrelude, selectScript } from './script-env';
import { createPhaseRunner, type PhaseRecord, type PhaseRunner, sha256Hex } from './phase-runner';
import { diffLines } from './state-diff';
import { detectedNeed, isVerifiedOutput } from './phase-output';

/**
 * Runs one runbook on one host (issue 4): refuse what the policy does not allow, detect, capture
 * state, remediate with retries, and call it a success only when every check the runbook repairs
 * passes again (plus its own verify script). A failure rolls back when the runbook can.
 */

export interface RunbookPolicy {
  allowDisruptive: boolean;
  inMaintenanceWindow: boolean;
  allowReboot: boolean;
}

type RefusalCode =
  | 'INVALID_RUNBOOK'
  | 'INVALID_PARAMS'
  | 'CHECK_IMPLEMENTATION_MISSING'
  | 'DISRUPTIVE_NOT_ALLOWED'
  | 'OUTSIDE_MAINTENANCE_WINDOW'
  | 'REBOOT_NOT_ALLOWED';

interface AttemptRecord {
  attempt: number;
  /** Wait before this attempt: backoffSeconds * 2^(n-1) for retry n. */
  delayMs: number;
  remediateExitCode: number | null;
  isVerified: boolean;
  reason: string;
}

export interface RunbookExecution {
  executionId: string;
  runbookId: string;
  hostId: string;
  outcome: 'success' | 'failure' | 'refused' | 'not_needed';
  /** One sentence for people: why it ended this way. */
  reason: string;
  refusal?: { code: RefusalCode; message: string };
  params: Record<string, unknown> | null;
  distro: string | null;
  phases: PhaseRecord[];
  attempts: AttemptRecord[];
  stateBefore: string | null;
  stateAfter: string | null;
  stateDiff: string[];
  rolledBack: boolean;
  startedAt: Date;
  durationMs: number;
}

export interface ExecuteRunbookOptions {
  runbook: RunbookDefinition;
  target: Target;
  /** Implementations of runbook.checks: success is judged by them. */
  checks: readonly LinuxCheck[];
  /** Untrusted (an L2 plan, an order): validated by the runbook's schema. */
  params: unknown;
  policy: RunbookPolicy;
  hostLocks: HostLocks;
  signal?: AbortSignal;
  maxOutputBytes?: number;
}

const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** A remediation exiting with this code cannot apply on this host as it is (see runbook.ts). */
const CANNOT_APPLY_EXIT_CODE = 3;
/** Errors that repeating the same remediation cannot cure: a hung script hangs again. */
const NO_RETRY: ReadonlySet<TargetErrorCode> = new Set([
  'TIMEOUT',
  'ABORTED',
  'HOST_KEY_CHANGED',
  'AUTH_FAILED',
  'UNREACHABLE',
]);

function refusalFor(runbook: RunbookDefinition, checks: readonly LinuxCheck[], policy: RunbookPolicy) {
  const known = new Set(checks.map((check) => check.id));
  const missing = runbook.checks.filter((id) => !known.has(id));
  if (missing.length > 0) {
    return {
      code: 'CHECK_IMPLEMENTATION_MISSING' as const,
      message: `Cannot verify the repair: no implementation of ${missing.join(', ')}.`,
    };
  }
  if (runbook.disruptive && !policy.allowDisruptive) {
    return {
      code: 'DISRUPTIVE_NOT_ALLOWED' as const,
      message: `${runbook.id} interrupts a service people use and disruptive runbooks are not allowed here.`,
    };
  }
  if (runbook.requiresMaintenanceWindow && !policy.inMaintenanceWindow) {
    return {
      code: 'OUTSIDE_MAINTENANCE_WINDOW' as const,
      message: `${runbook.id} may only run in a maintenance window.`,
    };
  }
  if (runbook.requiresReboot && !policy.allowReboot) {
    return { code: 'REBOOT_NOT_ALLOWED' as const, message: `${runbook.id} needs a reboot, which is not allowed here.` };
  }
  return null;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Everything one execution's steps share once the host is locked. */
interface Run {
  options: ExecuteRunbookOptions;
  execution: RunbookExecution;
  phases: PhaseRunner;
  script: (script: RunbookScript) => string;
  timeoutMs: number;
  maxOutputBytes: number;
  /** Set when the host stopped answering after a change: retrying into it cannot help. */
  isHostLost: boolean;
}

export async function executeRunbook(options: ExecuteRunbookOptions): Promise<RunbookExecution> {
  const { runbook, target } = options;
  const startedAt = new Date();
  const execution: RunbookExecution = {
    executionId: randomUUID(),
    runbookId: String((runbook as { id?: unknown }).id ?? 'unknown'),
    hostId: target.hostId,
    outcome: 'refused',
    reason: '',
    params: null,
    distro: null,
    phases: [],
    attempts: [],
    stateBefore: null,
    stateAfter: null,
    stateDiff: [],
    rolledBack: false,
    startedAt,
    durationMs: 0,
  };
  const finish = (outcome: RunbookExecution['outcome'], reason: string): RunbookExecution => {
    execution.outcome = outcome;
    execution.reason = reason;
    execution.durationMs = Date.now() - startedAt.getTime();
    return execution;
  };

  // Refusals come before the host is touched: nothing runs.
  const refusal = RunbookDefinition.safeParse(runbook).success
    ? validateParams(runbook, options.params, execution)
    : { code: 'INVALID_RUNBOOK' as const, message: 'The runbook definition is invalid.' };
  const policyRefusal = refusal ?? refusalFor(runbook, options.checks, options.policy);
  if (policyRefusal) {
    execution.refusal = policyRefusal;
    return finish('refused', policyRefusal.message);
  }

  const release = await options.hostLocks.acquire(target.hostId, !runbook.allowConcurrent);
  const stateDir =
    runbook.platform === 'windows'
      ? `C:\\ProgramData\\OsirisCare\\runbooks\\${execution.executionId}`
      : `/var/lib/osiris-runbooks/${execution.executionId}`;
  const timeoutMs = runbook.timeoutSeconds * 1000;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const phases = createPhaseRunner({
    target,
    prelude: scriptPrelude(runbook.platform, execution.params ?? {}, stateDir),
    timeoutMs,
    maxOutputBytes,
    signal: options.signal,
    phases: execution.phases,
  });
  try {
    const family = hasVariants(runbook) ? await probeDistro(phases) : null;
    if (hasVariants(runbook)) execution.distro = family ?? 'default';
    const run: Run = {
      options,
      execution,
      phases,
      script: (script) => selectScript(script, family),
      timeoutMs,
      maxOutputBytes,
      isHostLost: false,
    };
    const { outcome, reason } = await detectAndRepair(run);
    return finish(outcome, reason);
  } finally {
    // Backups are only needed until rollback is decided; best effort, not part of the record.
    if (runbook.platform === 'linux' && !options.signal?.aborted) {
      await target.run(`rm -rf '${stateDir}'`, { timeoutMs: 10_000, maxOutputBytes: 4096 }).catch(() => undefined);
    }
    release();
  }
}

function validateParams(runbook: RunbookDefinition, params: unknown, execution: RunbookExecution) {
  const parsed = runbook.params.safeParse(params ?? {});
  if (parsed.success) {
    execution.params = parsed.data as Record<string, unknown>;
    return null;
  }
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'params'}: ${issue.message}`);
  return { code: 'INVALID_PARAMS' as const, message: `Parameters rejected by ${runbook.id}: ${issues.join('; ')}.` };
}

async function probeDistro(phases: PhaseRunner) {
  const probe = await phases.run('distro', 0, DISTRO_PROBE, false);
  return probe.ok ? parseDistroFamily(probe.stdout) : null;
}

async function detectAndRepair(run: Run): Promise<{ outcome: RunbookExecution['outcome']; reason: string }> {
  const { runbook, target } = run.options;
  const { execution, phases } = run;
  const detect = await phases.run('detect', 0, run.script(runbook.detect));
  const needed = detectedNeed(detect.stdout);
  if (!detect.ok) return { outcome: 'failure', reason: phases.describe('Detection', detect) };
  if (needed === undefined)
    return { outcome: 'failure', reason: 'Detection printed neither needed=yes nor needed=no.' };
  if (needed === 'no') {
    return {
      outcome: 'not_needed',
      reason: `Nothing to repair on ${target.hostname}: ${runbook.id} finds the setting in place.`,
    };
  }

  const before = await phases.run('capture_before', 0, run.script(runbook.captureState));
  execution.stateBefore = before.error ? null : before.stdout;
  const repaired = await remediateWithRetries(run);
  if (!repaired.ok && runbook.rollback) {
    const rollback = await phases.run('rollback', execution.attempts.length, run.script(runbook.rollback));
    execution.rolledBack = rollback.ok;
  }
  await captureAfter(run);
  if (repaired.ok) return { outcome: 'success', reason: repaired.reason };
  const rollbackNote = runbook.rollback ? (execution.rolledBack ? ' Rolled back.' : ' Rollback failed.') : '';
  return { outcome: 'failure', reason: `${repaired.reason}${rollbackNote}` };
}

async function captureAfter(run: Run): Promise<void> {
  const { execution } = run;
  const after = await run.phases.run(
    'capture_after',
    execution.attempts.length,
    run.script(run.options.runbook.captureState),
  );
  // A capture that could not run says nothing about the state: no diff rather than a false one.
  if (after.error || execution.stateBefore === null) return;
  execution.stateAfter = after.stdout;
  execution.stateDiff = diffLines(execution.stateBefore, after.stdout);
}

async function remediateWithRetries(run: Run): Promise<{ ok: boolean; reason: string }> {
  const { runbook, target, signal } = run.options;
  let reason = '';
  for (let attempt = 1; attempt <= runbook.retries.max + 1; attempt++) {
    const delayMs = attempt === 1 ? 0 : runbook.retries.backoffSeconds * 1000 * 2 ** (attempt - 2);
    await abortableSleep(delayMs, signal);
    if (signal?.aborted) return { ok: false, reason: 'Stopped: the appliance is shutting down.' };
    const remediate = await run.phases.run('remediate', attempt, run.script(runbook.remediate));
    const record: AttemptRecord = {
      attempt,
      delayMs,
      remediateExitCode: remediate.exitCode,
      isVerified: false,
      reason: '',
    };
    run.execution.attempts.push(record);
    reason = remediate.ok ? await verificationFailure(run, attempt) : run.phases.describe('Remediation', remediate);
    record.isVerified = reason === '';
    record.reason = record.isVerified ? 'verified' : reason;
    if (record.isVerified) {
      return {
        ok: true,
        reason: `Repaired ${runbook.checks.join(', ')} on ${target.hostname}; the checks pass again.`,
      };
    }
    if ((remediate.error && NO_RETRY.has(remediate.error.code)) || run.isHostLost) break;
    if (remediate.exitCode === CANNOT_APPLY_EXIT_CODE) break;
  }
  return { ok: false, reason };
}

/** '' when every repaired check passes and the verify script (if any) prints verified=yes; else why not. */
async function verificationFailure(run: Run, attempt: number): Promise<string> {
  const { runbook, target, signal, checks } = run.options;
  for (const checkId of runbook.checks) {
    const check = checks.find((c) => c.id === checkId) as LinuxCheck;
    const started = Date.now();
    const result = await runCheck(target, check, {
      timeoutMs: run.timeoutMs,
      maxOutputBytes: run.maxOutputBytes,
      signal,
    });
    // evaluatorInput is the collector output, or an error marker when the collector could not run.
    const input = (result.evaluatorInput ?? {}) as { stdout?: unknown; exitCode?: unknown };
    run.execution.phases.push({
      name: 'check',
      attempt,
      checkId,
      checkStatus: result.status,
      exitCode: typeof input.exitCode === 'number' ? input.exitCode : null,
      stdoutSha256: sha256Hex(typeof input.stdout === 'string' ? input.stdout : ''),
      durationMs: Date.now() - started,
    });
    if (result.status !== 'pass') {
      // A host that stopped answering after the change (e.g. SSH cut off) is not retried into.
      const targetError = result.observed.targetError;
      run.isHostLost = typeof targetError === 'string' && NO_RETRY.has(targetError as TargetErrorCode);
      return `After remediation ${checkId} is ${result.status}: ${result.reason}`;
    }
  }
  if (!runbook.verify) return '';
  const verify = await run.phases.run('verify', attempt, run.script(runbook.verify));
  if (!verify.ok) return run.phases.describe('Verification', verify);
  return isVerifiedOutput(verify.stdout) ? '' : 'The verify script did not print verified=yes.';
}
