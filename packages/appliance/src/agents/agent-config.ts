import { canonicalJson } from '@osiris/protocol';
import type { Store } from '../store';

const AGENT_TIERS = ['monitor_only', 'self_heal', 'full_remediation'] as const;
export type AgentTier = (typeof AGENT_TIERS)[number];

interface AgentCheckSetting {
  checkId: string;
  params: Record<string, string>;
}

export interface AgentConfigBase {
  tier: AgentTier;
  heartbeatIntervalSeconds: number;
  resultsIntervalSeconds: number;
  checks: AgentCheckSetting[];
}

export interface VersionedAgentConfig extends AgentConfigBase {
  version: bigint;
}

const TIER_KEY = 'agents.tier';
const CONFIG_KEY = 'agents.config';
const VERSION_KEY = 'agents.configVersion';

/** A tier's rank: a command needs a site tier at least as high as its own. */
export const tierRank = (tier: AgentTier): number => AGENT_TIERS.indexOf(tier);

const isTier = (value: string | null): value is AgentTier => AGENT_TIERS.includes(value as AgentTier);

/** Stores the site's tier for the next start when no agent endpoint is running. */
export function saveAgentTier(store: Pick<Store, 'settings'>, tier: AgentTier): void {
  store.settings.set(TIER_KEY, tier);
}

/**
 * The configuration every agent of the site gets. The tier comes from the store once set (later by
 * central's order), else from the config file. The version grows by one whenever the effective
 * configuration changes, across restarts, so agents know when to apply a new one.
 */
export function createAgentConfigSource(deps: { store: Store; base: AgentConfigBase }) {
  let current = refresh();

  function refresh(): VersionedAgentConfig {
    const storedTier = deps.store.settings.get(TIER_KEY);
    const effective: AgentConfigBase = { ...deps.base, tier: isTier(storedTier) ? storedTier : deps.base.tier };
    const text = canonicalJson(effective);
    let version = BigInt(deps.store.settings.get(VERSION_KEY) ?? '0');
    if (deps.store.settings.get(CONFIG_KEY) !== text) {
      version += 1n;
      deps.store.settings.set(CONFIG_KEY, text);
      deps.store.settings.set(VERSION_KEY, version.toString());
    }
    return { ...effective, version };
  }

  return {
    current: (): VersionedAgentConfig => current,
    /** Sets the site's tier (kept across restarts); the next heartbeats carry the new config. */
    setTier(tier: AgentTier): VersionedAgentConfig {
      saveAgentTier(deps.store, tier);
      current = refresh();
      return current;
    },
  };
}

export type AgentConfigSource = ReturnType<typeof createAgentConfigSource>;
