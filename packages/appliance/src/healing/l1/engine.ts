import type { Store } from '../../store';
import type { Incident } from '../../store/incidents.store';
import { type IncidentView, ruleMatches, toIncidentView } from './conditions';
import { isInWindow } from './policy';
import { HealingPolicy } from '@osiris/protocol';
import { type L1Rule, parseRules } from '@osiris/protocol';

const HOUR_MS = 3_600_000;

type SkipReason = 'monitor_only' | 'not_open' | 'no_rule' | 'cooldown' | 'outside_window' | 'rate_limited';

export type L1Decision =
  | { kind: 'run'; rule: L1Rule; runbookId: string; params: L1Rule['actionParams']; dryRun: boolean }
  | { kind: 'escalate'; rule: L1Rule }
  | { kind: 'skip'; reason: SkipReason; rule?: L1Rule };

type Replaced = { ok: true } | { ok: false; message: string };

/** Stable sort by priority (lower first); equal priorities keep the order they were given in. */
const byPriority = (rules: L1Rule[]): readonly L1Rule[] =>
  Object.freeze(
    rules
      .map((rule, index) => ({ rule, index }))
      .sort((a, b) => a.rule.priority - b.rule.priority || a.index - b.index)
      .map(({ rule }) => rule),
  );

/**
 * The deterministic first tier: picks a rule for an incident and says whether to run it now.
 * Cooldowns are keyed by (rule id, incident host id) in both `match` and `decide` — the one key
 * the store knows — and are recorded when `decide` says run or escalate, dry runs included, so a
 * failing fix cannot loop. Rate limits count the attempts recorded by the incidents service.
 */
export function createL1Engine(deps: {
  rules: unknown;
  policy: HealingPolicy;
  store: Pick<Store, 'incidents'>;
  now?: () => Date;
}) {
  const incidents = deps.store.incidents;
  const now = deps.now ?? (() => new Date());
  const initial = parseRules(deps.rules);
  if (!initial.ok) throw new Error(`invalid L1 rules: ${initial.message}`);
  let rules = byPriority(initial.rules);
  let policy = HealingPolicy.parse(deps.policy);

  function viewOf(incident: Incident): IncidentView {
    const attempts = incidents.attempts(incident.incidentId);
    return toIncidentView(incident, { all: attempts.length, l1: attempts.filter((a) => a.tier === 'L1').length });
  }

  const isCoolingDown = (rule: L1Rule, hostId: string, at: Date): boolean => {
    const until = incidents.cooldownUntil(rule.id, hostId);
    return until !== null && until > at.toISOString();
  };

  /** The first matching rule not cooling down on this host, and whether a match was passed over for cooldown. */
  function find(incident: Incident, at: Date): { rule: L1Rule | null; isCooldownHit: boolean } {
    const view = viewOf(incident);
    let isCooldownHit = false;
    for (const rule of rules) {
      if (!ruleMatches(rule, view)) continue;
      if (!isCoolingDown(rule, incident.hostId, at)) return { rule, isCooldownHit };
      isCooldownHit = true;
    }
    return { rule: null, isCooldownHit };
  }

  function reserve(rule: L1Rule, incident: Incident, at: Date): void {
    incidents.setCooldown(rule.id, incident.hostId, new Date(at.getTime() + rule.cooldownSeconds * 1000).toISOString());
  }

  function isRateLimited(incident: Incident, at: Date): boolean {
    const since = new Date(at.getTime() - HOUR_MS).toISOString();
    const { globalPerHour, perHostPerHour } = policy.rateLimits;
    return (
      incidents.countRunsSince(since) >= globalPerHour ||
      incidents.countRunsSince(since, incident.hostId) >= perHostPerHour
    );
  }

  function decideNow(incident: Incident, at: Date): L1Decision {
    if (policy.tier === 'monitor_only') return { kind: 'skip', reason: 'monitor_only' };
    if (incident.status !== 'open') return { kind: 'skip', reason: 'not_open' };
    const { rule, isCooldownHit } = find(incident, at);
    if (!rule) return { kind: 'skip', reason: isCooldownHit ? 'cooldown' : 'no_rule' };
    // Escalating changes nothing on the host, so windows and rate limits do not hold it back.
    if (rule.action === 'escalate') {
      reserve(rule, incident, at);
      return { kind: 'escalate', rule };
    }
    if (policy.maintenanceWindows.length > 0 && !isInWindow(policy.maintenanceWindows, at)) {
      return { kind: 'skip', reason: 'outside_window', rule };
    }
    if (isRateLimited(incident, at)) return { kind: 'skip', reason: 'rate_limited', rule };
    reserve(rule, incident, at);
    return { kind: 'run', rule, runbookId: rule.action, params: rule.actionParams, dryRun: policy.dryRun };
  }

  return {
    /** The first enabled rule that matches and is not cooling down for this host and rule; null if none. */
    match(incident: Incident): L1Rule | null {
      return find(incident, now()).rule;
    },
    /**
     * What to do with the incident now. A `run` or `escalate` answer starts the rule's cooldown on
     * the host in the same transaction as the checks, so two callers cannot both be told to run.
     */
    decide(incident: Incident): L1Decision {
      const at = now();
      // Re-read inside the transaction: the caller's copy may predate a pass that closed it.
      return incidents.transaction(() => decideNow(incidents.get(incident.incidentId) ?? incident, at));
    },
    /** Swaps the whole rule set (e.g. from an `update_rules` order); an invalid set changes nothing. */
    replaceRules(input: unknown): Replaced {
      const parsed = parseRules(input);
      if (!parsed.ok) return parsed;
      rules = byPriority(parsed.rules);
      return { ok: true };
    },
    replacePolicy(input: unknown): Replaced {
      const parsed = HealingPolicy.safeParse(input);
      if (!parsed.success)
        return { ok: false, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
      policy = parsed.data;
      return { ok: true };
    },
    rules: (): readonly L1Rule[] => rules,
  };
}
