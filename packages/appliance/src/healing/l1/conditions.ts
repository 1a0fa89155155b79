import type { JsonValue } from '../../checks/check';
import type { Incident } from '../../store/incidents.store';
import { type Condition, isSafePattern, type L1Rule } from '@osiris/protocol';

/** Text longer than this is cut before a regex runs on it (bounds backtracking on hostile output). */
const REGEX_INPUT_MAX_CHARS = 10_000;

/**
 * What rule conditions see: the only fields a `field` path can name. Dot paths reach into
 * `observed` (the check's facts, e.g. `observed.permitemptypasswords`).
 *
 * | field | meaning |
 * |---|---|
 * | incidentId, hostId, hostname, checkId | identity of the incident, host and catalog check |
 * | platform | first segment of checkId: linux, windows, macos, network, appliance |
 * | severity | catalog severity: critical, high, medium, low |
 * | status | open, closed |
 * | incidentType | drift (a failed check) |
 * | reason | the check's one-sentence reason |
 * | observed.* | the check's observed facts |
 * | occurrences | failed results seen while open |
 * | attempts, l1Attempts | healing attempts on this incident (all tiers / L1 only) |
 * | openedAt, lastSeenAt | ISO timestamps |
 * | patternSignature | SHA-256 hex of check, type and normalised reason |
 */
export interface IncidentView {
  incidentId: string;
  hostId: string;
  hostname: string;
  checkId: string;
  platform: string;
  severity: string;
  status: string;
  incidentType: string;
  reason: string;
  observed: Record<string, JsonValue>;
  occurrences: number;
  attempts: number;
  l1Attempts: number;
  openedAt: string;
  lastSeenAt: string;
  patternSignature: string;
}

export function toIncidentView(incident: Incident, attempts: { all: number; l1: number }): IncidentView {
  return {
    incidentId: incident.incidentId,
    hostId: incident.hostId,
    hostname: incident.hostname,
    checkId: incident.checkId,
    platform: incident.checkId.split('.')[0] ?? '',
    severity: incident.severity,
    status: incident.status,
    incidentType: incident.incidentType,
    reason: incident.reason,
    observed: incident.observed,
    occurrences: incident.occurrences,
    attempts: attempts.all,
    l1Attempts: attempts.l1,
    openedAt: incident.openedAt,
    lastSeenAt: incident.lastSeenAt,
    patternSignature: incident.patternSignature,
  };
}

/** Follows a dot path through own properties only (never `__proto__`, `constructor` …); undefined when absent. */
function valueAt(view: IncidentView, path: string): unknown {
  let current: unknown = view;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A number, or a string that is one ("42", "3.5"); booleans and blanks are not numbers here. */
function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function regexMatches(pattern: unknown, actual: unknown): boolean {
  // Rules are validated on load; a pattern that is still unsafe or does not compile simply does not match.
  if (typeof pattern !== 'string' || !isScalar(actual) || !isSafePattern(pattern)) return false;
  return new RegExp(pattern).test(String(actual).slice(0, REGEX_INPUT_MAX_CHARS));
}

/**
 * One condition against the view. A missing (or null) field makes every operator false, `ne` and
 * `not_in` included: a rule must never fire because the fact it tests was not collected.
 * `contains` means membership for lists and substring for scalars.
 */
export function conditionHolds(condition: Condition, view: IncidentView): boolean {
  const actual = valueAt(view, condition.field);
  if (actual === undefined || actual === null) return false;
  const { value } = condition;
  switch (condition.operator) {
    case 'eq':
      return isScalar(actual) && actual === value;
    case 'ne':
      return !(isScalar(actual) && actual === value);
    case 'contains':
      if (Array.isArray(actual)) return actual.some((item) => item === value);
      return isScalar(actual) && isScalar(value) && String(actual).includes(String(value));
    case 'regex':
      return regexMatches(value, actual);
    case 'gt':
    case 'lt': {
      const a = toNumber(actual);
      const b = toNumber(value);
      if (a === undefined || b === undefined) return false;
      return condition.operator === 'gt' ? a > b : a < b;
    }
    case 'in':
      return Array.isArray(value) && isScalar(actual) && value.includes(actual);
    case 'not_in':
      return Array.isArray(value) && isScalar(actual) && !value.includes(actual);
  }
}

/** Whether the rule applies to the incident: enabled, severity allowed, every condition true. Cooldown is the engine's. */
export function ruleMatches(rule: L1Rule, view: IncidentView): boolean {
  if (!rule.enabled) return false;
  if (rule.severityFilter && !rule.severityFilter.includes(view.severity as (typeof rule.severityFilter)[number])) {
    return false;
  }
  return rule.conditions.every((condition) => conditionHolds(condition, view));
}
