import { z } from 'zod';
import { Id, Timestamp } from './common';

/**
 * Workstation agents (issue 9) as central sees them. The appliance is the agents' server; it
 * reports its roster to central, which keeps each agent as a host of role `workstation` in the
 * appliance's site (host id = agent id), and signs its results into evidence like any other check
 * run. The tier says what an agent may heal by itself; a partner sets it per site, and central
 * delivers it to the site's appliances by a signed `set_agent_tier` order.
 */
export const AgentTier = z.enum(['monitor_only', 'self_heal', 'full_remediation']);
export type AgentTier = z.infer<typeof AgentTier>;

export const AgentOs = z.enum(['windows', 'macos', 'linux']);
export type AgentOs = z.infer<typeof AgentOs>;

const Hostname = z.string().min(1).max(253);
const Version = z.string().min(1).max(64);

/** One enrolled agent in an appliance's roster report. */
export const AgentRosterEntry = z.strictObject({
  agentId: Id,
  hostname: Hostname,
  os: AgentOs,
  osVersion: z.string().max(200),
  agentVersion: Version,
  status: z.enum(['active', 'revoked']),
  enrolledAt: Timestamp,
  lastSeenAt: Timestamp.nullable(),
  /** Results the agent said its offline queue dropped (overflow policy), as last reported. */
  droppedResultsTotal: z.number().int().min(0),
});
export type AgentRosterEntry = z.infer<typeof AgentRosterEntry>;

/** POST /v1/appliance/agents: the appliance's whole roster (replaces the previous report). */
export const AgentRosterReport = z.strictObject({
  schemaVersion: z.literal(1),
  agents: z.array(AgentRosterEntry).max(5000),
});
export type AgentRosterReport = z.infer<typeof AgentRosterReport>;

/** An entry central did not take (its hostname is another host's at the site, or its id another site's host). */
export const AgentRosterRefusal = z.object({
  agentId: Id,
  hostname: z.string(),
  code: z.string(),
  message: z.string(),
});
export type AgentRosterRefusal = z.infer<typeof AgentRosterRefusal>;

export const AgentRosterResponse = z.object({
  accepted: z.number().int(),
  /** Optional for compatibility with the first contract; central always sends it. */
  refused: z.array(AgentRosterRefusal).optional(),
});
export type AgentRosterResponse = z.infer<typeof AgentRosterResponse>;

/** GET/PUT /v1/sites/:id/agent-tier */
export const SiteAgentTier = z.object({ siteId: Id, tier: AgentTier, updatedAt: Timestamp.nullable() });
export type SiteAgentTier = z.infer<typeof SiteAgentTier>;
export const SiteAgentTierUpdate = z.strictObject({ tier: AgentTier });
export type SiteAgentTierUpdate = z.infer<typeof SiteAgentTierUpdate>;

/** GET /v1/sites/:id/workstations: the site's agents with their latest results summarised. */
export const WorkstationSummary = z.object({
  hostId: Id,
  hostname: Hostname,
  os: AgentOs,
  osVersion: z.string(),
  agentVersion: z.string(),
  status: z.enum(['active', 'revoked']),
  lastSeenAt: Timestamp.nullable(),
  droppedResultsTotal: z.number().int(),
  results: z.object({ pass: z.number().int(), fail: z.number().int(), error: z.number().int() }),
});
export type WorkstationSummary = z.infer<typeof WorkstationSummary>;
export const WorkstationList = z.object({ tier: AgentTier, items: z.array(WorkstationSummary) });
export type WorkstationList = z.infer<typeof WorkstationList>;
