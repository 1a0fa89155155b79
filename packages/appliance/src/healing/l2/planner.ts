import { type PhiScrubOptions, scrubPhi, scrubPhiText } from '../phi-scrubber';
import { createBudgetTracker, type L2Budget } from './budget';
import type { LlmFailureCode, LlmProvider } from './llm-provider';
import {
  ANSWER_SCHEMA_NAME,
  answerJsonSchema,
  buildUserPrompt,
  type L2Incident,
  type PromptRunbook,
  parseAnswer,
  SYSTEM_PROMPT,
} from './prompt';

/**
 * L2 planner: when no L1 rule matches, ask an LLM which allow-listed runbook (with which params)
 * would repair the incident. The model only proposes; this module decides. Whatever the model
 * says, the result names an allow-listed runbook with params its own schema accepted, or it is an
 * escalation. Nothing leaves the appliance without passing the PHI scrubber.
 */

type ValidatedParams = { ok: true; params: Record<string, unknown> } | { ok: false; message: string };

export interface AllowedRunbook extends PromptRunbook {
  validateParams(params: unknown): ValidatedParams;
}

export type L2EscalationReason =
  | 'no_llm'
  | 'no_runbooks'
  | 'budget_exhausted'
  | 'rate_limited'
  | 'provider_rate_limited'
  | 'provider_error'
  | 'network_error'
  | 'timeout'
  | 'malformed_response'
  | 'declined'
  | 'runbook_not_allowed'
  | 'invalid_params';

export type L2Decision =
  | { kind: 'run'; runbookId: string; params: Record<string, unknown>; confidence: number; reasoning: string }
  | {
      kind: 'approval';
      runbookId: string;
      params: Record<string, unknown>;
      confidence: number;
      reasoning: string;
      why: 'low_confidence' | 'disruptive';
    }
  | { kind: 'escalate'; reason: L2EscalationReason; detail: string };

export interface L2PlannerDeps {
  /** null when no LLM is configured: every incident goes straight to L3. */
  provider: LlmProvider | null;
  allowedRunbooks: AllowedRunbook[];
  budget: L2Budget;
  timeoutMs: number;
  minConfidence?: number;
  now?: () => number;
  maxOutputTokens?: number;
  phi?: PhiScrubOptions;
}

const FAILURE_REASONS: Record<LlmFailureCode, L2EscalationReason> = {
  timeout: 'timeout',
  network: 'network_error',
  http_error: 'provider_error',
  rate_limited: 'provider_rate_limited',
  bad_response: 'malformed_response',
  refused: 'declined',
};

const MAX_DETAIL_CHARS = 500;

/** Placeholders in params mean the model copied redacted data; running with them would be wrong. */
const REDACTED_MARK = '[REDACTED:';

function containsRedacted(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(REDACTED_MARK);
  if (Array.isArray(value)) return value.some(containsRedacted);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsRedacted);
  return false;
}

/** Rough token count (4 characters a token) for providers that do not report usage. */
const estimateTokens = (...texts: string[]): number => Math.ceil(texts.reduce((n, t) => n + t.length, 0) / 4);

export function createL2Planner(deps: L2PlannerDeps) {
  const minConfidence = deps.minConfidence ?? 0.6;
  const maxOutputTokens = deps.maxOutputTokens ?? 500;
  const budget = createBudgetTracker(deps.budget, deps.now ?? Date.now);
  const byId = new Map(deps.allowedRunbooks.map((rb) => [rb.id, rb]));
  const schema = answerJsonSchema(deps.allowedRunbooks.map((rb) => rb.id));
  const phi = deps.phi ?? {};

  const escalate = (reason: L2EscalationReason, detail: string): L2Decision => ({
    kind: 'escalate',
    reason,
    // Details can quote the model, which quoted check output: scrub and bound before anyone logs them.
    detail: scrubPhiText(detail, phi).value.slice(0, MAX_DETAIL_CHARS),
  });

  async function ask(provider: LlmProvider, system: string, user: string) {
    try {
      return await provider.complete({
        system,
        user,
        schema,
        schemaName: ANSWER_SCHEMA_NAME,
        maxOutputTokens,
        timeoutMs: deps.timeoutMs,
      });
    } catch (error) {
      // Providers return failures as data; a throw is a bug in one, still an escalation, not a crash.
      return {
        ok: false as const,
        code: 'http_error' as const,
        message: `provider failed: ${(error as Error).message}`,
      };
    }
  }

  async function plan(incident: L2Incident): Promise<L2Decision> {
    const { provider } = deps;
    if (!provider) return escalate('no_llm', 'no LLM provider is configured');
    if (byId.size === 0) return escalate('no_runbooks', 'no runbook is allowed for L2');

    const scrubbedIncident = scrubPhi(incident, phi).value;
    // A second pass over the final text: runbook descriptions and anything the prompt adds are covered too.
    const user = scrubPhiText(buildUserPrompt(scrubbedIncident, deps.allowedRunbooks), phi).value;
    const system = scrubPhiText(SYSTEM_PROMPT, phi).value;

    const slot = budget.tryStartRequest();
    if (!slot.ok) return escalate(slot.reason, slot.detail);

    const result = await ask(provider, system, user);
    const usage = result.usage;
    if (usage) budget.recordTokens(usage.inputTokens + usage.outputTokens);
    else if (result.ok) budget.recordTokens(estimateTokens(system, user, result.text));
    if (!result.ok) return escalate(FAILURE_REASONS[result.code], `${provider.kind}: ${result.message}`);

    const parsed = parseAnswer(result.text);
    if (!parsed.ok) return escalate('malformed_response', parsed.message);
    const { answer } = parsed;
    const reasoning = scrubPhiText(answer.reasoning, phi).value;
    if (answer.runbookId === null) return escalate('declined', `the model found no fitting runbook: ${reasoning}`);

    const runbook = byId.get(answer.runbookId);
    if (!runbook)
      return escalate(
        'runbook_not_allowed',
        `the model chose ${JSON.stringify(answer.runbookId)}, not in the allow-list`,
      );
    if (containsRedacted(answer.params))
      return escalate('invalid_params', `params for ${runbook.id} contain redacted personal data`);
    const validated = runbook.validateParams(answer.params);
    if (!validated.ok) return escalate('invalid_params', `params for ${runbook.id} rejected: ${validated.message}`);

    const proposal = { runbookId: runbook.id, params: validated.params, confidence: answer.confidence, reasoning };
    // Disruptive first: it needs a person however sure the model is.
    if (runbook.disruptive) return { kind: 'approval', ...proposal, why: 'disruptive' };
    if (answer.confidence < minConfidence) return { kind: 'approval', ...proposal, why: 'low_confidence' };
    return { kind: 'run', ...proposal };
  }

  return { plan };
}
