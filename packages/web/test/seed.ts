import { createChainWriter, newApplianceIdentity, registrationRequest } from '@osiris/central/testing';
import type { EvidenceBundle } from '@osiris/protocol';
import { expect } from 'vitest';
import type { WebApp } from './browser';

/** What the stand-in appliance reports, in chain order: root login passes, then fails. */
const RUNS: readonly [checkId: string, status: EvidenceBundle['status']][] = [
  ['linux.ssh.permit-root-login', 'pass'],
  ['linux.firewall.default-deny-input', 'pass'],
  ['linux.ssh.permit-root-login', 'fail'],
  ['linux.firewall.default-deny-input', 'pass'],
];

/** Start and finish `RUNS.length - seq + 1` seconds before now, in chain order. */
function freshTimes(now: Date, seq: number) {
  const at = new Date(now.getTime() - (RUNS.length - seq + 1) * 1000).toISOString();
  return { startedAt: at, finishedAt: at };
}

/**
 * A site with a stand-in appliance (the real wire protocol) that uploaded signed bundles of real catalog checks.
 * `fresh`: the runs finished seconds ago (so scores see them as current), not on the writer's fixed day.
 */
export async function seedPractice(web: WebApp, options: { fresh?: boolean } = {}) {
  const { central } = web;
  const ids = await central.createSite('main-clinic');
  const identity = newApplianceIdentity();
  const code = await central.provisionCode(ids.siteId);
  const reg = await central.t.anonymous.request({
    method: 'POST',
    url: '/v1/appliance/register',
    payload: registrationRequest(identity, code, { hostname: 'appl', signedAt: central.t.clock.now().toISOString() }),
  });
  expect(reg.statusCode, reg.body).toBe(201);
  const { applianceId, token } = reg.json() as { applianceId: string; token: string };
  const next = createChainWriter(applianceId, identity.pkcs8, {
    checkOf: (seq) => RUNS[seq - 1]?.[0] ?? 'linux.ssh.permit-root-login',
    statusOf: (seq) => RUNS[seq - 1]?.[1] ?? 'pass',
    ...(options.fresh ? { fieldsOf: (seq: number) => freshTimes(central.t.clock.now(), seq) } : {}),
  });
  const bundles = await next(RUNS.length);
  const up = await central.t.anonymous.request({
    method: 'POST',
    url: '/v1/appliance/evidence',
    payload: { schemaVersion: 1, bundles },
    headers: { authorization: `Bearer ${token}` },
  });
  expect(up.statusCode, up.body).toBe(200);
  // A signed tree head over the log (the first one of this central; later seeds wait for the job).
  await central.t.services.transparency.issueTreeHead();
  return { ...ids, applianceId, publicKey: identity.publicKey, bundles };
}
