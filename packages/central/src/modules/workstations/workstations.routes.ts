import {
  AgentRosterReport,
  AgentRosterResponse,
  IdParams,
  SiteAgentTier,
  SiteAgentTierUpdate,
  WorkstationList,
} from '@osiris/protocol';
import { ACCESS } from '../../platform/access';
import { type App, requireAppliance } from '../../platform/http';
import type { WorkstationsService } from './workstations.service';

const tags = ['workstations'];
/** Partner admins and technicians set a site's tier, and platform admins. */
const SET_TIER = { platform: 'admin', partner: 'technician' } as const;

export function registerWorkstationsRoutes(app: App, service: WorkstationsService): void {
  app.post(
    '/v1/appliance/agents',
    {
      config: { access: 'appliance' },
      schema: {
        tags: ['appliance gateway'],
        summary:
          "Report the appliance's whole workstation-agent roster (entries colliding with another host are refused)",
        body: AgentRosterReport,
        response: { 200: AgentRosterResponse },
      },
    },
    (request) => service.ingestRoster(request.actor, requireAppliance(request), request.body),
  );
  app.get(
    '/v1/sites/:id/agent-tier',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: "What the site's workstation agents may heal by themselves (default monitor_only)",
        params: IdParams,
        response: { 200: SiteAgentTier },
      },
    },
    (request) => service.getTier(request.actor, request.params.id),
  );
  app.put(
    '/v1/sites/:id/agent-tier',
    {
      config: { access: SET_TIER },
      schema: {
        tags,
        summary: "Set the site's agent tier; the site's appliances get it as a signed order",
        params: IdParams,
        body: SiteAgentTierUpdate,
        response: { 200: SiteAgentTier },
      },
    },
    (request) => service.setTier(request.actor, request.params.id, request.body.tier),
  );
  app.get(
    '/v1/sites/:id/workstations',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: "The site's workstation agents with counts of their latest results, and the site's tier",
        params: IdParams,
        response: { 200: WorkstationList },
      },
    },
    (request) => service.list(request.actor, request.params.id),
  );
}
