import { randomUUID } from 'node:crypto';
import {
  ActionParams,
  type ApplianceEscalationRequest,
  type EscalationPriority,
  type EscalationProposal,
  type RunRunbookPayload,
} from '@osiris/protocol';
import type { LinuxCheck } from '../checks/check';
import type { JsonValue } from '../checks/check';
import type { CheckRunResult } from '../evidence/evidence-writer';
import type { Logger } from '../log';
import { executeRunbook } from '../runbooks/executor';
import type { HostLocks } from '../runbooks/host-locks';
import type { RunbookDefinition } from '../runbooks/runbook';
import type { Incident } from '../store/incidents.store';
import type { Target } from '../targets/target';
import type { createIncidentsService } from './incidents';
import type { createL1Engine } from './l1/engine';
import { isInWindow } from './l1/policy';
import type { HealingPolicy } from '@osiris/protocol';
import type { L2Decision } from './l2/planner';
import type { L2Incident } from './l2/prompt';
import { scrubPhi } from './phi-scrubber';

const PRIORITY_OF: Record<Incident['severity'], EscalationPriority> = {
  critical: 'P1',
  high: 'P2',
  medium: 'P3',
  low: 'P4',
};

/**
 * The healing pipeline after each check result (ARCHITECTURE.md §4): the result opens, updates or
 * closes an incident; an open incident goes to L1 (a rule names a runbook; the executor runs it and
 * judges success by re-running the checks); what L1 cannot or may not fix goes to L3 when the
 * site's tier allows it, once per incident. Every attempt is recorded with its tier and outcome.
 * L2 (the LLM planner) plugs in between once a provider is configured.
 */
export function createHealer(deps: {
  incidents: ReturnType<typeof createIncidentsService>;
  l1: ReturnType<typeof createL1Engine>;
  policy: () => HealingPolicy;
  runbooks: ReadonlyMap<string, RunbookDefinition>;
  checks: ReadonlyMap<string, LinuxCheck>;
  hostLocks: HostLocks;
  escalate: (request: ApplianceEscalationRequest) => void;
  /** Writes a signed, chained evidence bundle (here: the record of a healing attempt). */
  record: (result: CheckRunResult) => Promise<unknown>;
  /** L2: asks the LLM planner; absent when no LLM is configured (incidents go from L1 to L3). */
  planL2?: (incident: L2Incident) => Promise<L2Decision>;
  /** Whether this target may be changed at all (never the machine the appliance runs on). */
  mayHeal: (target: Target) => boolean;
  /** After a successful fix: run the check again so the passing result closes the incident. */
  onHealed: (target: Target, checkId: string) => void;
  log: Logger;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const { incidents, log } = deps;

  function escalateOnce(incident: Incident, summary: string, evidenceSeq: number, proposal?: EscalationProposal): void {
    // L3 needs tier `full`; an approval request for an L2 proposal also goes out under `l1_l2`.
    const tier = deps.policy().tier;
    if (tier !== 'full' && !(proposal && tier === 'l1_l2')) return;
    const attempts = incidents.attempts(incident.incidentId);
    if (attempts.some((a) => a.tier === 'L3')) return;
    const at = now();
    deps.escalate({
      schemaVersion: 1,
      id: randomUUID(),
      hostId: incident.hostId,
      hostname: incident.hostname,
      checkId: incident.checkId,
      priority: PRIORITY_OF[incident.severity],
      summary: summary.slice(0, 500),
      detected: {
        reason: scrubPhi(incident.reason).value.slice(0, 1000),
        observed: scrubPhi(incident.observed).value,
      },
      attempts: attempts
        .filter((a) => a.tier !== 'L3')
        .slice(-20)
        .map((a) => ({
          tier: a.tier as 'L1' | 'L2',
          runbookId: a.runbookId,
          ruleId: a.ruleId,
          outcome: a.outcome,
          startedAt: a.startedAt,
          durationMs: a.durationMs,
          error: a.error ? a.error.slice(0, 1000) : null,
        })),
      evidenceSeqs: [evidenceSeq],
      ...(proposal ? { proposal } : {}),
      createdAt: at.toISOString(),
    });
    incidents.recordAttempt({
      incidentId: incident.incidentId,
      tier: 'L3',
      outcome: 'escalated',
      startedAt: at,
      finishedAt: at,
      error: summary.slice(0, 1000),
    });
    log.warn('escalated to central', {
      incidentId: incident.incidentId,
      checkId: incident.checkId,
      hostname: incident.hostname,
    });
  }

  async function runL1(target: Target, incident: Incident, evidenceSeq: number): Promise<void> {
    const decision = deps.l1.decide(incident);
    if (decision.kind === 'skip') {
      log.debug('L1 skipped', { hostname: incident.hostname, checkId: incident.checkId, reason: decision.reason });
      if (decision.reason === 'no_rule')
        await runL2(target, incident, evidenceSeq, `No L1 rule applies to ${incident.checkId}.`);
      return;
    }
    if (decision.kind === 'escalate') {
      escalateOnce(incident, `Rule ${decision.rule.id} sends ${incident.checkId} to a person.`, evidenceSeq);
      return;
    }
    const runbook = deps.runbooks.get(decision.runbookId);
    const startedAt = now();
    if (!runbook) {
      incidents.recordAttempt({
        incidentId: incident.incidentId,
        tier: 'L1',
        ruleId: decision.rule.id,
        runbookId: decision.runbookId,
        outcome: 'refused',
        startedAt,
        finishedAt: now(),
        error: `runbook ${decision.runbookId} does not exist`,
      });
      escalateOnce(incident, `Rule ${decision.rule.id} names a runbook this appliance does not have.`, evidenceSeq);
      return;
    }
    if (decision.dryRun) {
      incidents.recordAttempt({
        incidentId: incident.incidentId,
        tier: 'L1',
        ruleId: decision.rule.id,
        runbookId: runbook.id,
        outcome: 'success',
        isDryRun: true,
        startedAt,
        finishedAt: now(),
      });
      log.info('dry run: would heal', {
        hostname: incident.hostname,
        checkId: incident.checkId,
        runbookId: runbook.id,
      });
      return;
    }
    const outcome = await execute(target, incident, runbook, decision.params, 'L1', decision.rule.id);
    if (outcome.ok) deps.onHealed(target, incident.checkId);
    else
      await runL2(target, incident, evidenceSeq, `${runbook.id} did not repair ${incident.checkId}: ${outcome.reason}`);
  }

  /** Runs a runbook for an incident and records the attempt under its tier. */
  async function execute(
    target: Target,
    incident: Incident,
    runbook: RunbookDefinition,
    params: unknown,
    tier: 'L1' | 'L2',
    ruleId: string | null,
    decision: { confidence: number; reasoning: string } | null = null,
    approvedIn: string | null = null,
  ): Promise<{ ok: boolean; reason: string }> {
    const checks = runbook.checks.flatMap((id) => {
      const check = deps.checks.get(id);
      return check ? [check] : [];
    });
    const execution = await executeRunbook({
      runbook,
      target,
      checks,
      params,
      // A person's approval (a run_runbook order) is what allows disruption and reboots.
      policy: {
        allowDisruptive: approvedIn !== null,
        allowReboot: approvedIn !== null,
        inMaintenanceWindow: isInWindow(deps.policy().maintenanceWindows, now()),
      },
      hostLocks: deps.hostLocks,
    });
    const outcome = execution.outcome === 'not_needed' ? 'success' : execution.outcome;
    incidents.recordAttempt({
      incidentId: incident.incidentId,
      tier,
      ruleId,
      runbookId: runbook.id,
      outcome,
      startedAt: execution.startedAt,
      finishedAt: new Date(execution.startedAt.getTime() + execution.durationMs),
      error: outcome === 'success' ? null : execution.reason,
      params: execution.params,
      attemptId: execution.executionId,
    });
    const finishedAt = new Date(execution.startedAt.getTime() + execution.durationMs);
    const observed: Record<string, JsonValue> = {
      incidentId: incident.incidentId,
      tier,
      ruleId,
      runbookId: runbook.id,
      outcome: execution.outcome,
      decision: decision
        ? { confidence: decision.confidence, reasoning: scrubPhi(decision.reasoning).value.slice(0, 500) }
        : null,
      params: (execution.params ?? null) as JsonValue,
      phases: execution.phases.slice(0, 40).map((p) => ({
        name: p.name,
        attempt: p.attempt,
        exitCode: p.exitCode,
        stdoutSha256: p.stdoutSha256,
        durationMs: p.durationMs,
        targetError: p.targetError ?? null,
        checkId: p.checkId ?? null,
        checkStatus: p.checkStatus ?? null,
      })),
      stateDiff: execution.stateDiff.slice(0, 60).map((line) => line.slice(0, 200)),
      rolledBack: execution.rolledBack,
      approvedIn,
    };
    await deps.record({
      kind: 'healing',
      hostId: incident.hostId,
      hostname: incident.hostname,
      checkId: incident.checkId,
      status: outcome === 'success' ? 'pass' : outcome === 'refused' ? 'error' : 'fail',
      reason: execution.reason,
      observed,
      evaluatorInput: {
        executionId: execution.executionId,
        stateBefore: execution.stateBefore,
        stateAfter: execution.stateAfter,
        phases: observed.phases ?? null,
      },
      startedAt: execution.startedAt,
      finishedAt,
    });
    log.info(`${tier} healing attempt`, {
      hostname: incident.hostname,
      checkId: incident.checkId,
      runbookId: runbook.id,
      outcome: execution.outcome,
      reason: execution.reason,
      durationMs: execution.durationMs,
    });
    return { ok: outcome === 'success', reason: execution.reason };
  }

  /** L2: the planner proposes an allow-listed runbook; low confidence or disruption needs a person. */
  async function runL2(target: Target, incident: Incident, evidenceSeq: number, why: string): Promise<void> {
    const tier = deps.policy().tier;
    if (!deps.planL2 || (tier !== 'l1_l2' && tier !== 'full')) {
      escalateOnce(incident, why, evidenceSeq);
      return;
    }
    const earlier = incidents.attempts(incident.incidentId);
    // Already with people (escalated or waiting for approval): asking the LLM again changes nothing.
    if (earlier.some((a) => a.tier === 'L3')) return;
    if (earlier.some((a) => a.tier === 'L2')) {
      escalateOnce(incident, `${why}; the LLM's fix was already tried`, evidenceSeq);
      return;
    }
    log.debug('asking the L2 planner', { hostname: incident.hostname, checkId: incident.checkId });
    const decision = await deps.planL2({
      checkId: incident.checkId,
      title: incident.checkId,
      severity: incident.severity,
      hostname: incident.hostname,
      reason: incident.reason,
      observed: incident.observed,
    });
    log.debug('L2 planner answered', { checkId: incident.checkId, kind: decision.kind });
    if (decision.kind === 'escalate') {
      log.warn('L2 planner escalated', { checkId: incident.checkId, reason: decision.reason, detail: decision.detail });
      escalateOnce(incident, `${why}; L2: ${decision.reason} (${decision.detail})`, evidenceSeq);
      return;
    }
    if (decision.kind === 'approval') {
      const reasoning = scrubPhi(decision.reasoning).value.slice(0, 1000) || '(none given)';
      const params = ActionParams.safeParse(decision.params);
      escalateOnce(
        incident,
        `L2 proposes ${decision.runbookId} (confidence ${decision.confidence}, ${decision.why}); a person must approve it.`,
        evidenceSeq,
        params.success
          ? {
              incidentId: incident.incidentId,
              runbookId: decision.runbookId,
              params: params.data,
              confidence: decision.confidence,
              reasoning,
              why: decision.why,
            }
          : undefined,
      );
      return;
    }
    const runbook = deps.runbooks.get(decision.runbookId);
    if (!runbook) {
      escalateOnce(incident, `L2 named an unknown runbook ${decision.runbookId}`, evidenceSeq);
      return;
    }
    const outcome = await execute(target, incident, runbook, decision.params, 'L2', null, decision);
    if (outcome.ok) deps.onHealed(target, incident.checkId);
    else
      escalateOnce(incident, `L2's ${runbook.id} did not repair ${incident.checkId}: ${outcome.reason}`, evidenceSeq);
  }

  /**
   * A fix a person approved (a `run_runbook` order): checked now — the incident must still be open
   * on that host, the runbook known, the host one the appliance may change — then run in the
   * background (runbooks can take minutes; the order is answered at once). Recorded as an L2
   * attempt whose evidence names the escalation that approved it.
   */
  function runApproved(
    target: Target | undefined,
    order: RunRunbookPayload,
  ): { started: true; done: Promise<{ ok: boolean; reason: string }> } | { started: false; reason: string } {
    const incident = incidents.get(order.incidentId);
    if (incident?.status !== 'open') return { started: false, reason: 'the incident is no longer open' };
    if (incident.hostId !== order.hostId || incident.checkId !== order.checkId)
      return { started: false, reason: 'the order does not match the incident' };
    if (!target || target.hostId !== incident.hostId) return { started: false, reason: 'the host is not a target' };
    if (!deps.mayHeal(target)) return { started: false, reason: 'this host is never changed by the appliance' };
    const runbook = deps.runbooks.get(order.runbookId);
    if (!runbook?.checks.includes(incident.checkId))
      return { started: false, reason: `runbook ${order.runbookId} does not repair ${incident.checkId}` };
    const done = execute(target, incident, runbook, order.params, 'L2', null, null, order.escalationId).then(
      (outcome) => {
        if (outcome.ok) deps.onHealed(target, incident.checkId);
        return outcome;
      },
    );
    return { started: true, done };
  }

  return {
    runApproved,
    /** Called with every stored check result and the seq of its evidence bundle. */
    async handle(target: Target, result: CheckRunResult, evidenceSeq: number): Promise<void> {
      const { change, incident } = incidents.recordResult(result);
      if ((change !== 'opened' && change !== 'updated') || !incident) return;
      if (deps.policy().tier === 'monitor_only' || !deps.mayHeal(target)) return;
      await runL1(target, incident, evidenceSeq);
    },
  };
}
