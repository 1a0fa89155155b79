import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  CapabilityTier,
  FailureSchema,
  type HealCommand,
  type HealResult,
  HealResultSchema,
  HealStatus,
} from '@osiris/protocol/agent-proto';
import type { AgentOs } from '../checks/check';
import { type CheckRunnerDeps, runCheck } from '../checks/run-check';
import type { AgentDb } from '../queue/agent-db';
import { toObservation, truncateUtf8 } from '../result-message';
import type { Runbook } from './runbook';

const OUTPUT_TAIL_BYTES = 8192;

export interface HealExecutorDeps extends CheckRunnerDeps {
  os: AgentOs | 'other';
  db: AgentDb;
  runbooks: ReadonlyMap<string, Runbook>;
  /** The tier the agent currently applies (from the appliance's config; UNSPECIFIED = monitor only). */
  tier: () => CapabilityTier;
}

const tierRank = (tier: CapabilityTier) =>
  tier === CapabilityTier.FULL_REMEDIATION ? 3 : tier === CapabilityTier.SELF_HEAL ? 2 : 1;

const tail = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= OUTPUT_TAIL_BYTES ? text : bytes.subarray(bytes.length - OUTPUT_TAIL_BYTES).toString('utf8');
};

/**
 * Runs heal commands: re-checks the tier itself, runs each command id at most once (remembered in
 * SQLite), takes the check's state before and after the step, and always answers with a HealResult.
 */
export function createHealExecutor(deps: HealExecutorDeps) {
  const now = deps.now ?? (() => new Date());
  const find = deps.db.prepare<[string], { result: Buffer | null }>(
    'SELECT result FROM heal_commands WHERE command_id = ?',
  );
  const start = deps.db.prepare<[string, number]>(
    'INSERT INTO heal_commands (command_id, started_at_ms) VALUES (?, ?)',
  );
  const finish = deps.db.prepare<[Uint8Array, string]>('UPDATE heal_commands SET result = ? WHERE command_id = ?');
  const markReported = deps.db.prepare<[string]>('UPDATE heal_commands SET is_reported = 1 WHERE command_id = ?');

  const base = (command: HealCommand) => ({
    commandId: command.commandId,
    runbookId: command.runbookId,
    checkId: command.checkId,
  });

  const refused = (command: HealCommand, status: HealStatus, code: string, message: string): HealResult =>
    create(HealResultSchema, { ...base(command), status, error: create(FailureSchema, { code, message }) });

  /** Why the command must not run, or undefined. Checked in this order so the answer is stable. */
  function gate(command: HealCommand, runbook: Runbook | undefined): HealResult | undefined {
    const required = command.requiredTier;
    if (required !== CapabilityTier.SELF_HEAL && required !== CapabilityTier.FULL_REMEDIATION) {
      return refused(
        command,
        HealStatus.REFUSED,
        'TIER_NOT_ALLOWED',
        `required tier ${CapabilityTier[required] ?? required} is not a healing tier`,
      );
    }
    const agentTier = deps.tier();
    if (tierRank(required) > tierRank(agentTier)) {
      return refused(
        command,
        HealStatus.REFUSED,
        'TIER_NOT_ALLOWED',
        `this agent's tier is ${CapabilityTier[agentTier]}`,
      );
    }
    if (command.expiresAt && timestampDate(command.expiresAt).getTime() <= now().getTime()) {
      return refused(command, HealStatus.REFUSED, 'COMMAND_EXPIRED', 'the command expired before it could start');
    }
    if (!runbook) return refused(command, HealStatus.REFUSED, 'UNKNOWN_RUNBOOK', `no runbook ${command.runbookId}`);
    if (tierRank(runbook.tier) > tierRank(agentTier) || tierRank(runbook.tier) > tierRank(required)) {
      return refused(
        command,
        HealStatus.REFUSED,
        'TIER_NOT_ALLOWED',
        `${runbook.id} needs ${CapabilityTier[runbook.tier]}`,
      );
    }
    if (runbook.checkId !== command.checkId) {
      return refused(
        command,
        HealStatus.REFUSED,
        'CHECK_MISMATCH',
        `${runbook.id} remediates ${runbook.checkId}, not ${command.checkId}`,
      );
    }
    if (deps.os === 'other' || !runbook.steps[deps.os]) {
      return refused(
        command,
        HealStatus.UNSUPPORTED,
        'UNSUPPORTED_PLATFORM',
        `${runbook.id} has no step for ${deps.os}`,
      );
    }
    return undefined;
  }

  async function runStep(command: HealCommand, runbook: Runbook): Promise<HealResult> {
    const step = runbook.steps[deps.os as AgentOs];
    if (!step) throw new Error('unreachable: gate checked the step');
    const startedAt = now();
    const before = await runCheck(deps, command.checkId);
    const output = await deps.run(step.file, step.args, {
      timeoutMs: Math.max(1, command.timeoutSeconds || 60) * 1000,
      ...(step.stdin === undefined ? {} : { stdin: step.stdin }),
    });
    const after = await runCheck(deps, command.checkId);
    const combined = tail(`${output.stdout}${output.stderr ? `\n${output.stderr}` : ''}`);
    let status = after.status === 'PASS' ? HealStatus.SUCCEEDED : HealStatus.FAILED;
    let error: { code: string; message: string } | undefined;
    if (output.isTimedOut) {
      status = HealStatus.TIMED_OUT;
      error = { code: 'COMMAND_TIMEOUT', message: `step stopped after ${command.timeoutSeconds} s` };
    } else if (output.isMissing || output.exitCode !== 0) {
      status = HealStatus.FAILED;
      error = {
        code: 'STEP_FAILED',
        message: output.isMissing ? `${step.file} not found` : `step exited ${output.exitCode}`,
      };
    } else if (status === HealStatus.FAILED) {
      error = {
        code: 'STILL_FAILING',
        message: truncateUtf8(`after the step: ${after.status}: ${after.actual}`, 1024),
      };
    }
    return create(HealResultSchema, {
      ...base(command),
      status,
      before: toObservation(before),
      after: toObservation(after),
      startedAt: timestampFromDate(startedAt),
      finishedAt: timestampFromDate(now()),
      output: truncateUtf8(combined, OUTPUT_TAIL_BYTES),
      ...(error ? { error: create(FailureSchema, error) } : {}),
    });
  }

  return {
    /** Runs the command (or answers from memory if its id was seen before). */
    async execute(command: HealCommand): Promise<HealResult> {
      const seen = find.get(command.commandId);
      if (seen?.result) return fromBinary(HealResultSchema, seen.result);
      if (seen) {
        // Started before a crash or restart: never run twice.
        const result = refused(
          command,
          HealStatus.FAILED,
          'INTERRUPTED',
          'the agent stopped while the step ran; not repeated',
        );
        finish.run(toBinary(HealResultSchema, result), command.commandId);
        return result;
      }
      start.run(command.commandId, now().getTime());
      const runbook = deps.runbooks.get(command.runbookId);
      const result = gate(command, runbook) ?? (await runStep(command, runbook as Runbook));
      finish.run(toBinary(HealResultSchema, result), command.commandId);
      return result;
    },
    markReported(commandId: string) {
      markReported.run(commandId);
    },
  };
}

export type HealExecutor = ReturnType<typeof createHealExecutor>;
