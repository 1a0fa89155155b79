import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type {
  Appliance,
  OrderRecord,
  Release,
  Rollout,
  RolloutAppliance,
  RolloutCreateRequest,
  RolloutStage,
} from '@osiris/protocol';
import type { CentralServer } from '@osiris/central/testing';
import { type ApiClient, createApiClient } from '../export/export-api';
import type { LabRelease } from './fleet-release';

const SESSION_COOKIE = 'osiris_session';

/**
 * Platform staff (an admin) driving releases and rollouts over central's real HTTP API, as the
 * admin face does: signed in with email and password, the session cookie and CSRF token on every call.
 */
export interface FleetAdmin {
  registerRelease(release: LabRelease): Promise<Release>;
  createRollout(version: string, stages: readonly RolloutStage[], name: string): Promise<Rollout>;
  rollout(id: string): Promise<Rollout>;
  members(id: string): Promise<RolloutAppliance[]>;
  appliances(siteId: string): Promise<Appliance[]>;
  orders(applianceId: string): Promise<OrderRecord[]>;
  /** Audit entries of one action about one object (e.g. rollout.paused of a rollout). */
  audit(action: string, targetId: string): Promise<{ actorType: string; details: Record<string, unknown> }[]>;
}

export async function signInFleetAdmin(central: CentralServer): Promise<FleetAdmin> {
  const email = `release-manager-${randomBytes(4).toString('hex')}@lab.example`;
  const password = `pw-${randomBytes(16).toString('hex')}`;
  await central.t.createUser('admin', email, password);
  const login = await fetch(`${central.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`admin sign-in failed: HTTP ${login.status} ${(await login.text()).slice(0, 200)}`);
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  const token = cookie?.slice(SESSION_COOKIE.length + 1).split(';')[0];
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  if (!token) throw new Error('admin sign-in set no session cookie');
  const api: ApiClient = createApiClient(central.url, { token, csrfToken });

  return {
    async registerRelease(release) {
      await api.json<Release>('POST', '/v1/releases', { signed: release.signed, channel: 'stable' });
      const body = await readFile(release.artifact);
      const uploaded = await fetch(`${central.url}/v1/releases/${release.version}/artifact`, {
        method: 'PUT',
        headers: {
          cookie: `${SESSION_COOKIE}=${token}`,
          'x-csrf-token': csrfToken,
          'content-type': 'application/octet-stream',
        },
        body,
      });
      if (!uploaded.ok)
        throw new Error(
          `artifact upload ${release.version}: HTTP ${uploaded.status} ${(await uploaded.text()).slice(0, 300)}`,
        );
      return (await uploaded.json()) as Release;
    },
    createRollout(version, stages, name) {
      const request: RolloutCreateRequest = {
        version,
        name,
        target: { kind: 'all' },
        stages: [...stages],
        failureThresholdPercent: 10,
      };
      return api.json<Rollout>('POST', '/v1/rollouts', request);
    },
    rollout: (id) => api.json<Rollout>('GET', `/v1/rollouts/${id}`),
    members: async (id) =>
      (await api.json<{ items: RolloutAppliance[] }>('GET', `/v1/rollouts/${id}/appliances`)).items,
    appliances: async (siteId) =>
      (await api.json<{ items: Appliance[] }>('GET', `/v1/sites/${siteId}/appliances?limit=200`)).items,
    orders: async (applianceId) =>
      (await api.json<{ items: OrderRecord[] }>('GET', `/v1/appliances/${applianceId}/orders`)).items,
    audit: async (action, targetId) =>
      (
        await api.json<{ items: { actorType: string; details: Record<string, unknown> }[] }>(
          'GET',
          `/v1/admin/audit?action=${encodeURIComponent(action)}&targetId=${targetId}&limit=200`,
        )
      ).items,
  };
}

/** The release version an `install_release` order carries (null for other orders). */
export function orderedVersion(order: OrderRecord): string | null {
  if (order.type !== 'install_release') return null;
  const payload = order.signed.order.payload as { release?: { manifest?: { version?: string } } };
  return payload.release?.manifest?.version ?? null;
}
