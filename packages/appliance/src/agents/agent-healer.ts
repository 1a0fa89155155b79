import { agentRunbookFor, checkById } from '@osiris/protocol';
import type { CheckRunResult } from '../evidence/evidence-writer';
import type { Logger } from '../log';
import type { Incident } from '../store/incidents.store';
import { type AgentTier, tierRank } from './agent-config';
import type { AgentResultsStore, HealTier } from './agent-results.store';

/** Heal commands per incident before it is left to people (the L1 pack's retry budget). */
export const AGENT_HEAL_ATTEMPTS_PER_INCIDENT = 3;
/** How long the agent lets a runbook step run. */
const HEAL_TIMEOUT_SECONDS = 300;
/** How long a command waits for the agent's next heartbeat before it lapses. */
const HEAL_TTL_SECONDS = 3600;

type SkipReason =
  | 'not_failing'
  | 'not_open'
  | 'not_healable'
  | 'no_runbook'
  | 'tier_not_allowed'
  | 'pending'
  | 'budget_spent'
  | 'refused';

export type AgentHealDecision =
  | { kind: 'queue'; runbookId: string; requiredTier: HealTier }
  | { kind: 'skip'; reason: SkipReason };

/** What the decision needs to know about one recorded agent result and its incident. */
export interface AgentHealFacts {
  /** Catalog check id (`<os>.workstation.<check>`). */
  checkId: string;
  /** The agent's OS (`windows`, `macos`, `linux`). */
  os: string;
  /** The result as recorded (after exceptions: an excepted result is never healed). */
  status: CheckRunResult['status'];
  isIncidentOpen: boolean;
  siteTier: AgentTier;
  /** An unanswered, unexpired command for this incident exists. */
  hasPendingCommand: boolean;
  /** Commands already issued for this incident, answered or not. */
  attemptsMade: number;
}

/**
 * Whether to queue the agent's runbook for a failing workstation check: only for a failure (not
 * an error or an excepted result) on an open incident, a check the catalog calls healable with an
 * agent runbook for that OS, a site tier at least the runbook's, no command still waiting, and a
 * retry budget not yet spent.
 */
export function decideAgentHeal(facts: AgentHealFacts): AgentHealDecision {
  const skip = (reason: SkipReason): AgentHealDecision => ({ kind: 'skip', reason });
  if (facts.status !== 'fail') return skip('not_failing');
  if (!facts.isIncidentOpen) return skip('not_open');
  if (checkById(facts.checkId)?.healable !== true) return skip('not_healable');
  const runbook = agentRunbookFor(facts.checkId, facts.os);
  if (!runbook) return skip('no_runbook');
  if (tierRank(facts.siteTier) < tierRank(runbook.tier)) return skip('tier_not_allowed');
  if (facts.hasPendingCommand) return skip('pending');
  if (facts.attemptsMade >= AGENT_HEAL_ATTEMPTS_PER_INCIDENT) return skip('budget_spent');
  return { kind: 'queue', runbookId: runbook.runbookId, requiredTier: runbook.tier };
}

/** A failing agent result the evidence pump recorded on an incident. */
export interface AgentFailure {
  agentId: string;
  /** The agent's own check id (snake_case), as heal commands carry it. */
  agentCheckId: string;
  os: string;
  run: Pick<CheckRunResult, 'checkId' | 'status'>;
  incidentId: string;
}

type QueueHealCommand = (command: {
  agentId: string;
  runbookId: string;
  checkId: string;
  requiredTier: HealTier;
  timeoutSeconds: number;
  ttlSeconds: number;
  incidentId: string;
}) => { ok: true; commandId: string } | { ok: false; code: string; message: string };

/**
 * L1 for workstation agents: after a failing result opened or updated an incident, queues the
 * agent runbook as a heal command carrying the incident id (its answer becomes an L1 attempt).
 */
export function createAgentHealer(deps: {
  results: Pick<AgentResultsStore, 'healCommandsForIncident'>;
  incidents: { get(incidentId: string): Incident | null };
  /** The site's agent tier now (set by central's order, else the config file). */
  tier: () => AgentTier;
  queue: QueueHealCommand;
  log: Logger;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  return {
    /** Decides for one failure and queues the command when the decision says so. */
    consider(failure: AgentFailure): AgentHealDecision {
      const at = now().getTime();
      const incident = deps.incidents.get(failure.incidentId);
      const commands = deps.results.healCommandsForIncident(failure.agentId, failure.incidentId);
      const decision = decideAgentHeal({
        checkId: failure.run.checkId,
        os: failure.os,
        status: failure.run.status,
        isIncidentOpen: incident?.status === 'open',
        siteTier: deps.tier(),
        hasPendingCommand: commands.some((c) => c.resultStatus === null && Date.parse(c.expiresAt) > at),
        attemptsMade: commands.length,
      });
      if (decision.kind === 'skip') {
        if (decision.reason === 'budget_spent')
          deps.log.info('agent heal budget spent; incident left open', {
            incidentId: failure.incidentId,
            checkId: failure.run.checkId,
          });
        return decision;
      }
      const queued = deps.queue({
        agentId: failure.agentId,
        runbookId: decision.runbookId,
        checkId: failure.agentCheckId,
        requiredTier: decision.requiredTier,
        timeoutSeconds: HEAL_TIMEOUT_SECONDS,
        ttlSeconds: HEAL_TTL_SECONDS,
        incidentId: failure.incidentId,
      });
      if (!queued.ok) {
        deps.log.warn('agent heal command not queued', { incidentId: failure.incidentId, code: queued.code });
        return { kind: 'skip', reason: 'refused' };
      }
      deps.log.info('agent heal command queued', {
        agentId: failure.agentId,
        incidentId: failure.incidentId,
        runbookId: decision.runbookId,
        commandId: queued.commandId,
      });
      return decision;
    },
  };
}

export type AgentHealer = ReturnType<typeof createAgentHealer>;
