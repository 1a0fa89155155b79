import { createHash } from 'node:crypto';
import {
  type AppliancePatternsRequest,
  checkById,
  type L1Rule,
  LEARNING_MIN_L2_FIXES,
  LEARNING_MIN_SUCCESS_RATE,
  type LearningCandidate,
  type LearningCandidateQuery,
  type LearningDecisionRequest,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import { type ActorContext, SYSTEM_ACTOR } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import type { AuthenticatedAppliance } from '../../platform/http';
import type { AuditService } from '../audit';
import type { OrdersService } from '../orders';
import type { AggregateRow, DecisionRow, LearningStore } from './learning.store';

/** Orders carrying a new rule set stay deliverable for the longest time an order may live. */
const RULES_ORDER_MINUTES = 7 * 24 * 60;
const BAR = { minFixes: LEARNING_MIN_L2_FIXES, minRate: LEARNING_MIN_SUCCESS_RATE };

/** Candidates are per scope: the platform's (all appliances) or one partner's (its appliances). */
const candidateIdOf = (
  row: { patternSignature: string; runbookId: string; paramsKey: string },
  partnerId: string | null,
): string =>
  createHash('sha256')
    .update(`${partnerId ?? 'platform'}|${row.patternSignature}|${row.runbookId}|${row.paramsKey}`)
    .digest('hex');

/** Platform staff decide for every appliance; a partner's people for their partner's appliances. */
function scopeOf(actor: ActorContext): string | null {
  const principal = actor.principal;
  if (principal?.kind === 'partner') return principal.partnerId;
  if (!principal || principal.kind === 'platform') return null;
  throw new AppError('FORBIDDEN', 'Learning candidates are decided by platform or partner admins');
}

/** The L1 rule a promoted candidate becomes: the same pattern, the runbook and parameters L2 chose. */
function promotedRule(row: AggregateRow, candidateId: string, approvedBy: string, at: Date): L1Rule {
  return {
    id: `promoted:${candidateId.slice(0, 16)}`,
    name: `Learned: ${row.runbookId} for ${row.checkId}`.slice(0, 120),
    description: `Promoted from L2: fixed ${row.l2Successes} of ${row.l2Attempts} times on ${row.applianceCount} appliance(s).`,
    conditions: [
      { field: 'checkId', operator: 'eq', value: row.checkId },
      { field: 'patternSignature', operator: 'eq', value: row.patternSignature },
      { field: 'status', operator: 'eq', value: 'open' },
      // The same retry budget as the built-in rules: after 3 tries the incident goes on to L2/L3.
      { field: 'l1Attempts', operator: 'lt', value: 3 },
    ],
    action: row.runbookId,
    actionParams: JSON.parse(row.paramsKey) as L1Rule['actionParams'],
    hipaaControls: (checkById(row.checkId)?.hipaa ?? []).slice(0, 8),
    severityFilter: null,
    enabled: true,
    priority: 50,
    cooldownSeconds: 900,
    source: 'promoted',
    provenance: {
      patternSignature: row.patternSignature,
      promotedAt: at.toISOString(),
      approvedBy,
      l2Successes: row.l2Successes,
      successRate: row.l2Attempts === 0 ? 0 : row.l2Successes / row.l2Attempts,
    },
  };
}

function fromAggregate(row: AggregateRow, id: string, decision: DecisionRow | undefined): LearningCandidate {
  return {
    id,
    patternSignature: row.patternSignature,
    checkId: row.checkId,
    incidentType: row.incidentType,
    runbookId: row.runbookId,
    params: JSON.parse(row.paramsKey) as LearningCandidate['params'],
    l2Attempts: row.l2Attempts,
    l2Successes: row.l2Successes,
    successRate: row.l2Attempts === 0 ? 0 : row.l2Successes / row.l2Attempts,
    applianceCount: row.applianceCount,
    siteCount: row.siteCount,
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    ...decisionFields(decision),
  };
}

function decisionFields(decision: DecisionRow | undefined) {
  return {
    status: (decision?.decision ?? 'candidate') as LearningCandidate['status'],
    decidedAt: decision?.decided_at.toISOString() ?? null,
    decidedBy: decision?.decided_by ?? null,
    note: decision?.note ?? null,
    rule: (decision?.rule ?? null) as L1Rule | null,
  };
}

/** A decided candidate whose counters no longer meet the bar still shows, as it was when decided. */
function fromDecision(row: DecisionRow): LearningCandidate {
  const attempts = Number(row.l2_attempts);
  const successes = Number(row.l2_successes);
  return {
    id: row.candidate_id,
    patternSignature: row.pattern_signature,
    checkId: row.check_id,
    incidentType: row.incident_type,
    runbookId: row.runbook_id,
    params: row.params as LearningCandidate['params'],
    l2Attempts: attempts,
    l2Successes: successes,
    successRate: attempts === 0 ? 0 : successes / attempts,
    applianceCount: row.appliance_count,
    siteCount: row.site_count,
    firstSeenAt: row.first_seen_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    ...decisionFields(row),
  };
}

/**
 * The learning loop's central half: stores what appliances report about their patterns, lists the
 * L2 fixes that earned promotion (≥ 5 fixes, ≥ 90 % success, summed over appliances), and turns an
 * approval into an L1 rule with provenance that every appliance receives as a signed order.
 */
export function createLearningService(deps: {
  db: Kysely<DB>;
  store: LearningStore;
  audit: AuditService;
  orders: Pick<OrdersService, 'issue'>;
  now: () => Date;
}) {
  const { db, store, audit, orders, now } = deps;

  /** The rules an appliance of this partner runs: the platform's promotions and its partner's. */
  async function approvedRules(partnerId: string): Promise<L1Rule[]> {
    const rows = await store.listDecisions(db, { partnerId, withPlatform: true }, 'approved');
    return rows.flatMap((row) => (row.rule ? [row.rule as L1Rule] : [])).reverse();
  }

  /**
   * Sends each appliance its whole promoted rule set (an `update_rules` order replaces the previous
   * set). Issued as the system: a partner admin's approval reaches only its own appliances anyway.
   */
  async function sendRules(appliances: readonly { id: string; partnerId: string }[]): Promise<number> {
    const byPartner = new Map<string, L1Rule[]>();
    let issued = 0;
    for (const appliance of appliances) {
      let rules = byPartner.get(appliance.partnerId);
      if (!rules) {
        rules = await approvedRules(appliance.partnerId);
        byPartner.set(appliance.partnerId, rules);
      }
      if (rules.length === 0) continue;
      await orders.issue(SYSTEM_ACTOR, appliance.id, {
        type: 'update_rules',
        payload: { rules },
        expiresInMinutes: RULES_ORDER_MINUTES,
      });
      issued++;
    }
    return issued;
  }

  async function list(actor: ActorContext, query: LearningCandidateQuery): Promise<LearningCandidate[]> {
    const partnerId = scopeOf(actor);
    const [rows, decisions] = await Promise.all([
      store.aggregateL2(db, BAR, partnerId),
      store.listDecisions(db, { partnerId }),
    ]);
    const byId = new Map(decisions.map((d) => [d.candidate_id, d]));
    const items = rows.map((row) => {
      const id = candidateIdOf(row, partnerId);
      return fromAggregate(row, id, byId.get(id));
    });
    const shown = new Set(items.map((c) => c.id));
    for (const decision of decisions) if (!shown.has(decision.candidate_id)) items.push(fromDecision(decision));
    return query.status ? items.filter((c) => c.status === query.status) : items;
  }

  async function decide(
    actor: ActorContext,
    candidateId: string,
    decision: 'approved' | 'rejected',
    note: string | undefined,
  ): Promise<LearningCandidate> {
    const partnerId = scopeOf(actor);
    const row = (await store.aggregateL2(db, BAR, partnerId)).find((r) => candidateIdOf(r, partnerId) === candidateId);
    if (!row) {
      const decided = await store.getDecision(db, candidateId);
      if (decided && decided.partner_id === partnerId)
        throw new AppError('CONFLICT', 'This candidate is already decided');
      throw notFound('Learning candidate');
    }
    const at = now();
    const rule = decision === 'approved' ? promotedRule(row, candidateId, actor.actorLabel ?? 'unknown', at) : null;
    return db.transaction().execute(async (trx) => {
      const stored = await store.insertDecision(trx, {
        candidate_id: candidateId,
        pattern_signature: row.patternSignature,
        check_id: row.checkId,
        runbook_id: row.runbookId,
        params: row.paramsKey,
        decision,
        rule: rule ? JSON.stringify(rule) : null,
        note: note ?? null,
        l2_attempts: row.l2Attempts,
        l2_successes: row.l2Successes,
        appliance_count: row.applianceCount,
        incident_type: row.incidentType,
        site_count: row.siteCount,
        first_seen_at: row.firstSeenAt,
        last_seen_at: row.lastSeenAt,
        decided_by: actor.actorType === 'user' ? actor.actorId : null,
        decided_at: at,
        partner_id: partnerId,
      });
      if (!stored) throw new AppError('CONFLICT', 'This candidate is already decided');
      await audit.record(trx, actor, {
        action: decision === 'approved' ? 'learning.approve' : 'learning.reject',
        targetType: 'learning_candidate',
        targetId: candidateId,
        details: {
          checkId: row.checkId,
          runbookId: row.runbookId,
          l2Successes: row.l2Successes,
          l2Attempts: row.l2Attempts,
          partnerId,
          ...(rule ? { ruleId: rule.id } : {}),
        },
      });
      return fromAggregate(row, candidateId, stored);
    });
  }

  return {
    /** Stores an appliance's pattern counters (totals; a resend replaces what it sent before). */
    async receiveReports(
      appliance: AuthenticatedAppliance,
      input: AppliancePatternsRequest,
    ): Promise<{ accepted: number }> {
      const seen = new Set<string>();
      for (const pattern of input.patterns) {
        if (seen.has(pattern.patternSignature))
          throw new AppError('VALIDATION_FAILED', 'Invalid request', {
            details: { issues: [{ path: ['patterns'], message: 'a pattern is listed twice', code: 'custom' }] },
          });
        seen.add(pattern.patternSignature);
      }
      await db.transaction().execute((trx) => store.replaceReports(trx, appliance, input.patterns, now()));
      return { accepted: input.patterns.length };
    },

    list,

    /** Approves a candidate: the rule is stored with its provenance and sent to every appliance. */
    async approve(actor: ActorContext, candidateId: string, input: LearningDecisionRequest) {
      const candidate = await decide(actor, candidateId, 'approved', input.note);
      const ordersIssued = await sendRules(await store.activeAppliances(db, { partnerId: scopeOf(actor) }));
      return { candidate, ordersIssued };
    },

    reject(actor: ActorContext, candidateId: string, input: { note: string }): Promise<LearningCandidate> {
      return decide(actor, candidateId, 'rejected', input.note);
    },

    /** A newly registered appliance gets the promoted rules too (nothing is sent while there are none). */
    async onRegistered(applianceId: string): Promise<void> {
      await sendRules(await store.activeAppliances(db, { applianceId }));
    },
  };
}

export type LearningService = ReturnType<typeof createLearningService>;
