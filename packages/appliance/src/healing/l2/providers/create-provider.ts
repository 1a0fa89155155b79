import { z } from 'zod';
import type { FetchImpl, LlmProvider } from '../llm-provider';
import { createAnthropicProvider } from './anthropic';
import { createOllamaProvider } from './ollama';
import { createOpenAiCompatibleProvider } from './openai-compatible';

const BaseUrl = z.url({ protocol: /^https?$/ }).max(500);
const Model = z.string().min(1).max(200);
const ApiKey = z.string().min(1).max(500);

/** The `llm` section of the appliance config: which provider L2 uses. Absent means no L2 (straight to L3). */
export const LlmProviderConfig = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('openai'), baseUrl: BaseUrl, model: Model, apiKey: ApiKey.optional() }),
  z.strictObject({ kind: z.literal('anthropic'), baseUrl: BaseUrl.optional(), model: Model, apiKey: ApiKey }),
  z.strictObject({ kind: z.literal('ollama'), baseUrl: BaseUrl.optional(), model: Model }),
]);
export type LlmProviderConfig = z.infer<typeof LlmProviderConfig>;

/** A registry, not a switch: one factory per provider kind. */
const FACTORIES: {
  [K in LlmProviderConfig['kind']]: (
    config: Extract<LlmProviderConfig, { kind: K }>,
    fetchImpl?: FetchImpl,
  ) => LlmProvider;
} = {
  openai: (config, fetchImpl) => createOpenAiCompatibleProvider({ ...config, fetchImpl }),
  anthropic: (config, fetchImpl) => createAnthropicProvider({ ...config, fetchImpl }),
  ollama: (config, fetchImpl) => createOllamaProvider({ ...config, fetchImpl }),
};

export function createLlmProvider(config: LlmProviderConfig, fetchImpl?: FetchImpl): LlmProvider {
  const factory = FACTORIES[config.kind] as (config: LlmProviderConfig, fetchImpl?: FetchImpl) => LlmProvider;
  return factory(config, fetchImpl);
}
