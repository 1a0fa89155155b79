import { z } from 'zod';
import { HipaaSpecId, Severity } from './catalog/schema';

/**
 * Healing contracts central and the appliance share (issue 4): L1 rules (central promotes learned
 * rules and sends them in `update_rules` orders) and the site's healing policy (`set_healing_policy`).
 */

/** Runbook ids are `rb-` + the id of the check the runbook primarily repairs. */
export const RUNBOOK_ID = /^rb-(?:linux|windows|macos)(?:\.[a-z0-9]+(?:-[a-z0-9]+)*){2,3}$/;

/** Longest regex a rule may carry; with the input cap in conditions.ts this bounds the cost of a match. */
const REGEX_MAX_CHARS = 200;

/**
 * Refuses the classic catastrophic-backtracking shape: a quantified group that itself contains a
 * quantifier, e.g. `(a+)+` or `(\w*)*`. A heuristic (JavaScript regexes cannot be time-limited),
 * applied both when rules load and again before a pattern runs.
 */
export function isSafePattern(pattern: string): boolean {
  if (pattern.length > REGEX_MAX_CHARS || /\([^()]*[+*][^()]*\)[+*{]/.test(pattern)) return false;
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** A dot path into the incident view: `checkId`, `observed.sshd.permitemptypasswords`. */
const FieldPath = z
  .string()
  .max(200)
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/, 'field must be a dot path such as observed.value');

const Scalar = z.union([z.string().max(1_000), z.number(), z.boolean()]);

const Operator = z.enum(['eq', 'ne', 'contains', 'regex', 'gt', 'lt', 'in', 'not_in']);

export const Condition = z
  .strictObject({
    field: FieldPath,
    operator: Operator,
    value: z.union([Scalar, z.array(Scalar).max(100)]),
  })
  .superRefine((condition, ctx) => {
    const { operator, value } = condition;
    const isList = Array.isArray(value);
    if ((operator === 'in' || operator === 'not_in') !== isList) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `${operator} needs ${isList ? 'one value' : 'a list'}`,
      });
    }
    if ((operator === 'gt' || operator === 'lt') && typeof value !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${operator} needs a number` });
    }
    if (operator === 'regex') {
      if (typeof value !== 'string' || value.length > REGEX_MAX_CHARS) {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `regex needs a pattern of ≤ ${REGEX_MAX_CHARS} chars`,
        });
      } else if (!isSafePattern(value)) {
        ctx.addIssue({
          code: 'custom',
          path: ['value'],
          message: `invalid regular expression (or nested quantifiers): ${value}`,
        });
      }
    }
  });
export type Condition = z.infer<typeof Condition>;

/** Where a promoted rule came from: the pattern, its record at promotion, and who approved it. */
const Provenance = z.strictObject({
  patternSignature: z.string().regex(/^[0-9a-f]{64}$/),
  promotedAt: z.iso.datetime(),
  approvedBy: z.string().min(1).max(200),
  l2Successes: z.number().int().min(0),
  successRate: z.number().min(0).max(1),
});

const ParamValue = z.union([Scalar, z.null(), z.array(Scalar).max(50)]);

/** Runbook parameters as rules and plans carry them: a flat map of scalars or short lists. */
export const ActionParams = z.record(z.string().max(64), ParamValue);

/** An L1 rule (reference §3.1 format, with runbook ids instead of free-form action names). */
export const L1Rule = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, 'rule ids are letters, digits and . _ : -'),
    name: z.string().min(1).max(120),
    description: z.string().max(1_000).default(''),
    /** All must hold (AND). An empty list matches every incident the severity filter lets through. */
    conditions: z.array(Condition).max(32),
    /** A runbook (`rb-<check id>`) to run, or `escalate` to hand the incident to L2/L3 without running anything. */
    action: z.union([z.literal('escalate'), z.string().regex(RUNBOOK_ID, 'action must be rb-<check id> or escalate')]),
    actionParams: ActionParams.default({}),
    hipaaControls: z.array(HipaaSpecId).max(8).default([]),
    /** When set, only incidents of these severities match. */
    severityFilter: z.array(Severity).min(1).max(4).nullable().default(null),
    enabled: z.boolean().default(true),
    /** Lower runs first; ties keep list order. */
    priority: z.number().int().min(0).max(10_000).default(100),
    /** After the rule fires on a host it stays quiet there this long, so a failing fix never loops. */
    cooldownSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(300),
    source: z.enum(['builtin', 'custom', 'synced', 'promoted']).default('custom'),
    provenance: Provenance.optional(),
  })
  .refine((rule) => rule.source !== 'promoted' || rule.provenance !== undefined, {
    message: 'a promoted rule must carry its provenance',
    path: ['provenance'],
  });
export type L1Rule = z.infer<typeof L1Rule>;

/** A whole rule set: unique ids, all valid. */
export const L1RuleList = z
  .array(L1Rule)
  .max(2_000)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, index) => {
      if (seen.has(rule.id))
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate rule id ${rule.id}` });
      seen.add(rule.id);
    });
  });

/**
 * Validates a whole rule set: all or nothing, with every problem named by rule index and field,
 * e.g. `rules[3].conditions[0].value: invalid regular expression: (`.
 */
export function parseRules(input: unknown): { ok: true; rules: L1Rule[] } | { ok: false; message: string } {
  const parsed = L1RuleList.safeParse(input);
  if (parsed.success) return { ok: true, rules: parsed.data };
  const problems = parsed.error.issues.slice(0, 10).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `rules${path}: ${issue.message}`;
  });
  return { ok: false, message: problems.join('; ') };
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const HHMM = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM (00:00–23:59)');

const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'unknown IANA time zone');

/**
 * A weekly window in a site's local time. `days` are the days the window starts on; when `end`
 * is not after `start` the window runs past midnight into the next day (start == end: 24 hours).
 */
const MaintenanceWindow = z.strictObject({
  days: z.array(z.enum(DAYS)).min(1).max(7),
  start: HHMM,
  end: HHMM,
  timeZone: TimeZone,
});

/** How far this site lets the appliance heal on its own (set by a signed order from central). */
export const HealingPolicy = z.strictObject({
  /** monitor_only never heals; l1 runs rules only; l1_l2 adds the LLM planner; full adds L3 escalation. */
  tier: z.enum(['monitor_only', 'l1', 'l1_l2', 'full']),
  /** Decide and record everything, change nothing on hosts. */
  dryRun: z.boolean(),
  /** Empty: healing may run at any time. Otherwise only inside one of these windows. */
  maintenanceWindows: z.array(MaintenanceWindow).max(20),
  /** Runbook runs (L1 and L2, dry runs included) allowed per rolling hour. */
  rateLimits: z.strictObject({
    globalPerHour: z.number().int().min(0).max(10_000),
    perHostPerHour: z.number().int().min(0).max(1_000),
  }),
});
export type HealingPolicy = z.infer<typeof HealingPolicy>;
