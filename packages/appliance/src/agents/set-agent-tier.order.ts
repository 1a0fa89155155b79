import type { SetAgentTierPayload } from '@osiris/protocol';
import type { ApplyOutcome } from '../sync/orders';
import type { Store } from '../store';
import { type AgentConfigSource, saveAgentTier } from './agent-config';

const AS_OF_KEY = 'agents.tierAsOf';

/**
 * The `set_agent_tier` order: central's tier for the site's workstation agents. A tier decided
 * before the one held (`asOf`) is ignored, so a late or replayed order cannot undo a newer one;
 * otherwise it is kept across restarts and the next heartbeats carry it (a new config version).
 */
export function applySetAgentTier(
  deps: { store: Pick<Store, 'settings'>; agentConfig: AgentConfigSource | null },
  payload: SetAgentTierPayload,
): ApplyOutcome {
  const held = deps.store.settings.get(AS_OF_KEY);
  if (held !== null && Date.parse(payload.asOf) < Date.parse(held))
    return { ok: true, detail: `ignored: tier as of ${payload.asOf} is older than the one held (${held})` };
  if (deps.agentConfig) {
    const config = deps.agentConfig.setTier(payload.tier);
    deps.store.settings.set(AS_OF_KEY, payload.asOf);
    return { ok: true, detail: `agent tier ${payload.tier} (config version ${config.version})` };
  }
  saveAgentTier(deps.store, payload.tier);
  deps.store.settings.set(AS_OF_KEY, payload.asOf);
  return { ok: true, detail: `agent tier ${payload.tier} (applies when the agent endpoint is enabled)` };
}
