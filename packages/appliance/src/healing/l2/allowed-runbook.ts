import { z } from 'zod';
import type { RunbookDefinition } from '../../runbooks/runbook';
import type { AllowedRunbook } from './planner';

/**
 * Adapts a runbook definition for the L2 allow-list. Params are checked strictly: a key the
 * runbook does not declare is an error rather than silently dropped, because an unexpected key
 * from a model is a sign it is not doing what it was asked.
 */
export function toAllowedRunbook(
  definition: Pick<RunbookDefinition, 'id' | 'title' | 'description' | 'disruptive' | 'params'>,
): AllowedRunbook {
  const strictParams = definition.params.strict();
  let paramsJsonSchema: Record<string, unknown> | undefined;
  try {
    paramsJsonSchema = z.toJSONSchema(definition.params, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
  } catch {
    // Some zod types have no JSON schema form; the description then has to be enough for the model.
    paramsJsonSchema = undefined;
  }
  return {
    id: definition.id,
    title: definition.title,
    description: definition.description,
    disruptive: definition.disruptive,
    ...(paramsJsonSchema ? { paramsJsonSchema } : {}),
    validateParams(params) {
      const parsed = strictParams.safeParse(params);
      if (!parsed.success) return { ok: false, message: z.prettifyError(parsed.error) };
      return { ok: true, params: parsed.data as Record<string, unknown> };
    },
  };
}
