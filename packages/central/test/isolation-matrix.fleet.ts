import type { Release, Rollout, Site } from '@osiris/protocol';
import { availableRelease, newReleaseKey, type ReleaseKey, signedRelease } from '../src/modules/fleet/fleet.testkit';
import type { Caller, TestApp } from '../src/testing';
import { createOk, type Tenant, unique } from '../src/testing/api';
import { registerTestAppliance } from '../src/testing/appliance';

/** What these fixtures need of the matrix's context (structural, so this file imports nothing of the matrix's). */
interface Ctx {
  t: TestApp;
  admin: Caller;
  fx: { a: Tenant };
}
type Scope = 'platform';
interface ParamRule {
  route?: string;
  url?: RegExp;
  param: string;
  scope: Scope;
  value: (ctx: Ctx) => Promise<string>;
}
interface Spec {
  body?: (ctx: Ctx) => unknown | Promise<unknown>;
  headers?: Record<string, string>;
  noLeakCheck?: string;
}

/**
 * Releases and rollouts in the tenant isolation matrix (issue 10): the release key central trusts,
 * a shared available release and a shared rollout holding appliance A, and fresh objects for the
 * calls that change them. One state per test app (the matrix runs once per backend).
 */
interface FleetState {
  release?: Release;
  rollout?: Rollout;
  /** The artifact of the release the last artifact-upload fixture registered. */
  artifact?: Buffer;
}
const states = new WeakMap<TestApp, FleetState>();
let key: ReleaseKey | undefined;
let counter = 0;

/** The release public keys the matrix's app trusts (call before starting it). */
export async function fleetMatrixConfig(): Promise<{ RELEASE_PUBLIC_KEYS: string[] }> {
  key ??= await newReleaseKey();
  return { RELEASE_PUBLIC_KEYS: [key.publicB64] };
}

function releaseKey(): ReleaseKey {
  if (!key) throw new Error('fleetMatrixConfig() was not called before the app started');
  return key;
}

const stateOf = (t: TestApp): FleetState => {
  const existing = states.get(t);
  if (existing) return existing;
  const fresh: FleetState = {};
  states.set(t, fresh);
  return fresh;
};
const nextVersion = () => `9.${Date.now() % 100_000}.${counter++}`;

async function sharedRelease({ t, admin }: Ctx): Promise<Release> {
  const state = stateOf(t);
  state.release ??= (await availableRelease(admin, releaseKey(), '1.0.0')).release;
  return state.release;
}

/** A rollout of the shared release over tenant A's site (appliance A). */
async function sharedRollout(ctx: Ctx): Promise<Rollout> {
  const state = stateOf(ctx.t);
  if (!state.rollout) {
    await sharedRelease(ctx);
    state.rollout = await createOk<Rollout>(ctx.admin, '/v1/rollouts', {
      version: '1.0.0',
      target: { kind: 'sites', siteIds: [ctx.fx.a.site.id] },
      stages: [{ percent: 100, healthyMinutes: null }],
    });
  }
  return state.rollout;
}

/** A release registered now (awaiting its artifact); its artifact is kept for the upload's body. */
async function freshRelease({ t, admin }: Ctx): Promise<string> {
  const version = nextVersion();
  const { artifact, signed } = await signedRelease(releaseKey(), version);
  await createOk(admin, '/v1/releases', { signed, channel: 'stable' });
  stateOf(t).artifact = artifact;
  return version;
}

export const FLEET_PARAMS: ParamRule[] = [
  { route: 'POST /v1/releases/:version/withdraw', param: 'version', scope: 'platform', value: freshRelease },
  { route: 'PUT /v1/releases/:version/artifact', param: 'version', scope: 'platform', value: freshRelease },
  {
    url: /^\/v1\/(appliance\/)?releases\/:version(\/|$)/,
    param: 'version',
    scope: 'platform',
    value: async (ctx) => (await sharedRelease(ctx)).version,
  },
  {
    url: /^\/v1\/rollouts\/:id(\/|$)/,
    param: 'id',
    scope: 'platform',
    value: async (ctx) => (await sharedRollout(ctx)).id,
  },
];

export const FLEET_SPEC: Record<string, Spec> = {
  'POST /v1/releases': {
    body: async () => ({ signed: (await signedRelease(releaseKey(), nextVersion())).signed, channel: 'beta' }),
  },
  'PUT /v1/releases/:version/artifact': {
    body: ({ t }) => stateOf(t).artifact,
    headers: { 'content-type': 'application/octet-stream' },
  },
  'GET /v1/appliance/releases/:version/artifact': {
    noLeakCheck: 'the answer is the artifact bytes, not JSON',
  },
  // A rollout needs appliances in no other unfinished rollout: a new site of tenant A with one.
  'POST /v1/rollouts': {
    body: async (ctx) => {
      await sharedRelease(ctx);
      const site = await createOk<Site>(ctx.admin, '/v1/sites', {
        practiceId: ctx.fx.a.practice.id,
        name: unique('Rollout site'),
      });
      await registerTestAppliance(ctx.t, ctx.admin, site.id);
      return { version: '1.0.0', target: { kind: 'sites', siteIds: [site.id] } };
    },
  },
  'POST /v1/rollouts/:id/pause': { body: () => ({ reason: 'isolation matrix' }) },
  'POST /v1/appliance/update-status': {
    body: async (ctx) => ({
      schemaVersion: 1,
      rolloutId: (await sharedRollout(ctx)).id,
      version: '1.0.0',
      state: 'downloading',
      fromVersion: '0.1.0',
      at: ctx.t.clock.now().toISOString(),
      errorCode: null,
      message: null,
      bytesDownloaded: 100,
    }),
  },
  'PUT /v1/appliances/:id/update-channel': { body: () => ({ channel: 'stable' }) },
};
