import type { Escalation, Host, OrderRecord, Partner, Practice, Site } from '@osiris/protocol';
import { type AccessRule, isAllowed, type Principal } from '../src/platform/access';
import type { RouteEntry } from '../src/platform/auth';
import { SYSTEM_ACTOR } from '../src/platform/context';
import { type Caller, type CallerRequest, signInAs, type TestApp, type testBackends } from '../src/testing';
import { createOk, createPartner, MISSING_ID, type Tenant, unique, uniqueEmail } from '../src/testing/api';
import type { registerTestAppliance } from '../src/testing/appliance';
import { FLEET_PARAMS } from './isolation-matrix.fleet';

/** Fixtures, valid bodies and expected outcomes of the tenant isolation matrix (its test is isolation-matrix.int.test.ts). */
export type Method = CallerRequest['method'];
export type Backend = (typeof testBackends)[number];

/** Who calls: how the server should see them. */
type Who =
  | { kind: 'anonymous' }
  | { kind: 'appliance' }
  /** A person whose session the server must refuse (an auditor whose window has passed). */
  | { kind: 'refused' }
  | { kind: 'person'; principal: Principal; tenant: 'A' | 'B' | 'all' };

export interface Actor {
  name: string;
  who: Who;
  caller: Caller;
  /** The user behind a session (null: anonymous, appliance, API key). */
  userId: string | null;
  /** Who the audit log names for this caller (user id or API key id). */
  actorId: string | null;
  /** Platform users made here: their password (changed by POST /v1/auth/password). */
  password?: string;
}

/** Where an addressed object sits: tenant A, the platform (admin objects), the caller itself, or nowhere. */
type Scope = 'A' | 'platform' | 'self' | 'absent';

export interface Fixtures {
  a: Tenant;
  b: Tenant;
  /** A third partner: the target of practice transfers (so tenant A never sees tenant B's id). */
  partnerC: Partner;
  hostA: Host;
  hostB: Host;
  applianceA: Awaited<ReturnType<typeof registerTestAppliance>>;
  escalationA: Escalation;
  /** A partner A technician that member routes change. */
  partnerMemberA: string;
  /** A practice A viewer that member routes change. */
  practiceMemberA: string;
  practiceOwnerA: string;
  /** A platform user that admin user routes act on. */
  targetUser: string;
  /** A user signing in over POST /v1/auth/login. */
  loginUser: { email: string; password: string };
}

export interface Ctx {
  t: TestApp;
  fx: Fixtures;
  actor: Actor;
  admin: Caller;
}

/** How a route is called once the caller is through authentication and the access rule. */
export interface Spec {
  body?: (ctx: Ctx) => unknown | Promise<unknown>;
  headers?: Record<string, string>;
  /** The body names a tenant-A object: an allowed principal that does not reach tenant A gets 404. */
  bodyInTenantA?: true;
  /** Also acceptable for a principal let through, and why (an override: counted and printed). */
  alsoOk?: { statuses: number[]; why: string };
  /** Public route: the outcome for every caller instead of "not 401/403", and why (an override). */
  publicOutcome?: { status: number; code: string; why: string };
  /** Run before each call (restores state an earlier cell removed). */
  prepare?: (ctx: Ctx) => Promise<void>;
  /** The call ends the caller's session (or the one its cookie names): make it with a new session of the same user. */
  ownSession?: true;
  /** The handler needs a session, so an API key that the access rule lets in is answered 401 (an override). */
  sessionOnly?: string;
  /** The route is left out of the leak check, and why (an override). */
  noLeakCheck?: string;
}

const HEX64 = 'a'.repeat(64);

/** A path parameter's fixture: matched by exact route (`METHOD url`) or by url pattern; first match wins. */
export interface ParamRule {
  route?: string;
  url?: RegExp;
  param: string;
  scope: Scope;
  why?: string;
  value: (ctx: Ctx) => string | Promise<string>;
}

/** A valid exception request: one check, site-wide, for 30 days. */
export const exceptionBody = (t: TestApp) => ({
  scope: { kind: 'check', checkId: 'linux.ssh.permit-root-login' },
  reason: 'The EHR vendor needs this until its upgrade.',
  expiresAt: new Date(t.clock.now().getTime() + 30 * 86_400_000).toISOString(),
});

/** A month that is over: the packet routes make (or answer) tenant A's packet for it. */
export const packetBody = () => ({ month: '2025-01' });

/** A valid attestation of a manual HIPAA control with a small PDF. */
export const attestationBody = (t: TestApp) => ({
  framework: 'hipaa',
  controlId: '164.308(a)(6)(ii)',
  statement: 'Incident response procedures are documented and tested yearly.',
  expiresAt: new Date(t.clock.now().getTime() + 90 * 86_400_000).toISOString(),
  document: { name: 'ir.pdf', type: 'application/pdf', base64: Buffer.from('%PDF-1.4\n').toString('base64') },
});

const freshException = async ({ admin, fx, t }: Ctx) =>
  (await createOk<{ id: string }>(admin, `/v1/sites/${fx.a.site.id}/exceptions`, exceptionBody(t))).id;

const freshPractice = async ({ admin, fx }: Ctx) =>
  (await createOk<Practice>(admin, '/v1/practices', { partnerId: fx.a.partner.id, name: unique('Clinic') })).id;

/** An email channel of partner A (test sends stay in the email outbox). */
export const freshNotificationChannel = async ({ admin, fx }: Ctx) =>
  (
    await createOk<{ id: string }>(admin, '/v1/notification-channels', {
      partnerId: fx.a.partner.id,
      name: unique('channel'),
      settings: { kind: 'email', addresses: ['oncall@test.example'] },
    })
  ).id;

const PARAMS: ParamRule[] = [
  // Releases and rollouts (isolation-matrix.fleet.ts).
  ...FLEET_PARAMS,
  // Destructive calls get their own object.
  {
    route: 'DELETE /v1/partners/:id',
    param: 'id',
    scope: 'platform',
    value: async (c) => (await createPartner(c.admin)).id,
  },
  { route: 'DELETE /v1/practices/:id', param: 'id', scope: 'A', value: freshPractice },
  {
    route: 'DELETE /v1/sites/:id',
    param: 'id',
    scope: 'A',
    value: async ({ admin, fx }) =>
      (await createOk<Site>(admin, '/v1/sites', { practiceId: fx.a.practice.id, name: unique('Site') })).id,
  },
  {
    route: 'DELETE /v1/hosts/:id',
    param: 'id',
    scope: 'A',
    value: async ({ admin, fx }) =>
      (
        await createOk<Host>(admin, '/v1/hosts', {
          siteId: fx.a.site.id,
          hostname: unique('h'),
          platform: 'linux',
          role: 'server',
        })
      ).id,
  },
  {
    route: 'DELETE /v1/partners/:id/members/:userId',
    param: 'userId',
    scope: 'A',
    value: async ({ t, fx }) => (await signInAs(t, { role: 'technician', partnerId: fx.a.partner.id })).userId ?? '',
  },
  {
    route: 'DELETE /v1/practices/:id/members/:userId',
    param: 'userId',
    scope: 'A',
    value: async ({ t, fx }) =>
      (await signInAs(t, { role: 'practice_viewer', practiceId: fx.a.practice.id })).userId ?? '',
  },
  {
    route: 'DELETE /v1/practices/:id/auditors/:userId',
    param: 'userId',
    scope: 'A',
    value: async ({ t, fx }) => (await signInAs(t, { role: 'auditor', practiceId: fx.a.practice.id })).userId ?? '',
  },
  {
    route: 'DELETE /v1/partners/:id/api-keys/:keyId',
    param: 'keyId',
    scope: 'A',
    value: async ({ admin, fx }) =>
      (
        await createOk<{ apiKey: { id: string } }>(admin, `/v1/partners/${fx.a.partner.id}/api-keys`, {
          name: unique('key'),
          scope: 'read',
        })
      ).apiKey.id,
  },
  {
    url: /^\/v1\/provision-codes\/:id$/,
    param: 'id',
    scope: 'A',
    value: async ({ admin, fx }) =>
      (await createOk<{ provisionCode: { id: string } }>(admin, `/v1/sites/${fx.a.site.id}/provision-codes`, {}))
        .provisionCode.id,
  },
  {
    url: /^\/v1\/admin\/practice-transfers\/:id\//,
    param: 'id',
    scope: 'platform',
    value: async (c) => {
      const practiceId = await freshPractice(c);
      return (
        await createOk<{ id: string }>(c.admin, `/v1/practices/${practiceId}/transfer-requests`, {
          toPartnerId: c.fx.partnerC.id,
          reason: 'Disposable transfer.',
        })
      ).id;
    },
  },
  {
    url: /^\/v1\/admin\/invitations\/:id$/,
    param: 'id',
    scope: 'platform',
    value: async ({ t }) =>
      (
        await t.services.accounts.invite(SYSTEM_ACTOR, {
          email: uniqueEmail('revoke'),
          role: 'readonly',
          expiresInHours: 1,
        })
      ).invitation.id,
  },
  { url: /^\/v1\/admin\/users\/:id/, param: 'id', scope: 'platform', value: ({ fx }) => fx.targetUser },
  {
    url: /^\/v1\/admin\/users\/:id\/sessions\/:sessionId$/,
    param: 'sessionId',
    scope: 'platform',
    value: async ({ t, fx }) => (await newSession(t, fx.targetUser)).sessionId,
  },
  {
    url: /^\/v1\/auth\/sessions\/:sessionId$/,
    param: 'sessionId',
    scope: 'self',
    value: async ({ t, actor }) => (actor.userId ? (await newSession(t, actor.userId)).sessionId : MISSING_ID),
  },
  {
    url: /^\/v1\/learning\/candidates\/:id\//,
    param: 'id',
    scope: 'absent',
    why: 'candidates come only from appliance pattern reports; any 64-hex id shows the route is admin-only and answers 404',
    value: () => HEX64,
  },
  { url: /^\/v1\/auth\/oidc\/:issuerId\//, param: 'issuerId', scope: 'absent', value: () => 'no-such-issuer' },
  {
    url: /^\/v1\/appliance\/orders\/:orderId\//,
    param: 'orderId',
    scope: 'A',
    value: async ({ admin, fx }) =>
      (
        await createOk<OrderRecord>(admin, `/v1/appliances/${fx.applianceA.applianceId}/orders`, {
          type: 'run_checks_now',
          payload: {},
        })
      ).id,
  },
  { url: /^\/v1\/partners\/:id\/members\/:userId$/, param: 'userId', scope: 'A', value: ({ fx }) => fx.partnerMemberA },
  {
    url: /^\/v1\/practices\/:id\/members\/:userId$/,
    param: 'userId',
    scope: 'A',
    value: ({ fx }) => fx.practiceMemberA,
  },
  // Shared tenant-A objects.
  { url: /^\/v1\/partners\/:id(\/|$)/, param: 'id', scope: 'A', value: ({ fx }) => fx.a.partner.id },
  { url: /^\/v1\/practices\/:id(\/|$)/, param: 'id', scope: 'A', value: ({ fx }) => fx.a.practice.id },
  { url: /^\/v1\/sites\/:id(\/|$)/, param: 'id', scope: 'A', value: ({ fx }) => fx.a.site.id },
  { url: /^\/v1\/hosts\/:id(\/|$)/, param: 'id', scope: 'A', value: ({ fx }) => fx.hostA.id },
  { url: /^\/v1\/appliances\/:id(\/|$)/, param: 'id', scope: 'A', value: ({ fx }) => fx.applianceA.applianceId },
  { url: /^\/v1\/escalations\/:id(\/|$)/, param: 'id', scope: 'A', value: ({ fx }) => fx.escalationA.id },
  // Each exception decision gets a fresh tenant-A exception in the state it acts on.
  {
    route: 'POST /v1/exceptions/:id/revoke',
    param: 'id',
    scope: 'A',
    value: async (ctx) => {
      const id = await freshException(ctx);
      const approved = await ctx.admin.request({ method: 'POST', url: `/v1/exceptions/${id}/approve`, payload: {} });
      if (approved.statusCode !== 200) throw new Error(`fixture: approving an exception: ${approved.body}`);
      return id;
    },
  },
  { url: /^\/v1\/exceptions\/:id(\/|$)/, param: 'id', scope: 'A', value: freshException },
  // Tenant A's packet of a past month (made once; later calls answer the stored one).
  {
    url: /^\/v1\/packets\/:id(\/|$)/,
    param: 'id',
    scope: 'A',
    value: async ({ admin, fx }) => {
      const res = await admin.request({
        method: 'POST',
        url: `/v1/practices/${fx.a.practice.id}/packets`,
        payload: packetBody(),
      });
      if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`fixture: making a packet: ${res.body}`);
      return (res.json() as { id: string }).id;
    },
  },
  // Each attestation route gets a fresh tenant-A attestation (a revoke needs one not yet revoked).
  {
    url: /^\/v1\/attestations\/:id(\/|$)/,
    param: 'id',
    scope: 'A',
    value: async ({ admin, fx, t }) =>
      (await createOk<{ id: string }>(admin, `/v1/practices/${fx.a.practice.id}/attestations`, attestationBody(t))).id,
  },
  // Pending invitations and transfer requests: each revoke or cancel gets a pending one of tenant A.
  {
    route: 'DELETE /v1/partners/:id/invitations/:invitationId',
    param: 'invitationId',
    scope: 'A',
    value: async ({ admin, fx }) =>
      (
        await createOk<{ id: string }>(admin, `/v1/partners/${fx.a.partner.id}/invitations`, {
          email: uniqueEmail('revoke-pinv'),
          role: 'technician',
        })
      ).id,
  },
  {
    route: 'DELETE /v1/practices/:id/invitations/:invitationId',
    param: 'invitationId',
    scope: 'A',
    value: async ({ admin, fx }) =>
      (
        await createOk<{ id: string }>(admin, `/v1/practices/${fx.a.practice.id}/invitations`, {
          email: uniqueEmail('revoke-cinv'),
          role: 'practice_viewer',
        })
      ).id,
  },
  {
    url: /^\/v1\/practices\/:id\/transfer-requests\/:requestId\//,
    param: 'requestId',
    scope: 'A',
    value: async ({ admin, fx }) => {
      const url = `/v1/practices/${fx.a.practice.id}/transfer-requests`;
      const listed = await admin.request({ method: 'GET', url });
      const pending = (listed.json() as { items: { id: string; state: string }[] }).items.find(
        (r) => r.state === 'pending',
      );
      if (pending) return pending.id;
      return (await createOk<{ id: string }>(admin, url, { toPartnerId: fx.partnerC.id, reason: 'Disposable.' })).id;
    },
  },
  // Notification channels and rules of partner A: a fresh one for every call.
  { url: /^\/v1\/notification-channels\/:id(\/|$)/, param: 'id', scope: 'A', value: freshNotificationChannel },
  {
    url: /^\/v1\/notification-rules\/:id$/,
    param: 'id',
    scope: 'A',
    value: async (ctx) =>
      (
        await createOk<{ id: string }>(ctx.admin, '/v1/notification-rules', {
          partnerId: ctx.fx.a.partner.id,
          eventTypes: ['test'],
          minPriority: 'P4',
          channelIds: [await freshNotificationChannel(ctx)],
        })
      ).id,
  },
  // The transparency log: bundle 1 of appliance A in a signed tree head; heads name no tenant.
  { route: 'GET /v1/appliances/:id/evidence/:seq/inclusion', param: 'seq', scope: 'A', value: ensureTreeHead },
  {
    route: 'GET /v1/tree-heads/:size',
    param: 'size',
    scope: 'platform',
    value: async (ctx) => {
      await ensureTreeHead(ctx);
      return String((await ctx.admin.request({ method: 'GET', url: '/v1/tree-heads/latest' })).json().treeSize);
    },
  },
];

export const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
const paramsOf = (url: string) => [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);

function ruleFor(route: RouteEntry, param: string): ParamRule | undefined {
  const key = routeKey(route);
  return PARAMS.find((r) => r.param === param && (r.route ? r.route === key : (r.url as RegExp).test(route.url)));
}

/** Every parameter of the route has a fixture; otherwise the message names the route. */
export function paramRules(route: RouteEntry): ParamRule[] {
  return paramsOf(route.url).map((param) => {
    const rule = ruleFor(route, param);
    if (!rule) throw new Error(`no fixture for :${param} of ${routeKey(route)}: add one to PARAMS`);
    return rule;
  });
}

/** A bare platform role is the rule "platform staff with at least this role". */
const ruleOf = (access: Exclude<RouteEntry['access'], 'public' | 'appliance'>): AccessRule =>
  typeof access === 'string' ? { platform: access } : access;

type Expected =
  | { kind: 'public'; override?: Spec['publicOutcome'] }
  | { kind: 'error'; status: 401 | 403 | 404; code: string }
  | { kind: 'ok'; alsoOk: number[] };

export function expectedOutcome(route: RouteEntry, actor: Actor, scopes: Scope[], spec: Spec): Expected {
  if (route.access === 'public') return { kind: 'public', override: spec.publicOutcome };
  const alsoOk = [...(spec.alsoOk?.statuses ?? []), ...(scopes.includes('absent') ? [404] : [])];
  const who = actor.who;
  if (route.access === 'appliance')
    return who.kind === 'appliance' ? { kind: 'ok', alsoOk } : { kind: 'error', status: 401, code: 'UNAUTHENTICATED' };
  if (who.kind !== 'person') return { kind: 'error', status: 401, code: 'UNAUTHENTICATED' };
  if (!isAllowed(ruleOf(route.access), who.principal)) return { kind: 'error', status: 403, code: 'FORBIDDEN' };
  if (spec.sessionOnly && actor.userId === null) return { kind: 'error', status: 401, code: 'UNAUTHENTICATED' };
  const addressesA = scopes.includes('A') || spec.bodyInTenantA === true;
  if (addressesA && who.tenant === 'B') return { kind: 'error', status: 404, code: 'NOT_FOUND' };
  return { kind: 'ok', alsoOk };
}

/** A caller presenting a bearer token (an API key or an appliance token) and no cookie. */
export function bearerCaller(t: TestApp, token: string): Caller {
  return {
    userId: null,
    email: null,
    request: ({ method, url, payload, headers }) =>
      t.app.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
        headers: { authorization: `Bearer ${token}`, ...headers },
      }),
  };
}

/** A new session of an existing user, with its caller and id. */
export async function newSession(t: TestApp, userId: string): Promise<{ caller: Caller; sessionId: string }> {
  const issued = await t.database.db
    .transaction()
    .execute((trx) => t.services.auth.startSession(trx, SYSTEM_ACTOR, userId, 'sign_in_link', { userAgent: null }));
  const row = await t.database.db
    .selectFrom('sessions')
    .select('id')
    .where('csrf_token', '=', issued.info.csrfToken)
    .executeTakeFirstOrThrow();
  const headers = { cookie: `osiris_session=${issued.token}`, 'x-csrf-token': issued.info.csrfToken };
  return {
    sessionId: row.id,
    caller: {
      userId,
      email: null,
      request: ({ method, url, payload, headers: extra }) =>
        t.app.inject({
          method,
          url,
          ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
          headers: { ...headers, ...extra },
        }),
    },
  };
}

export function concreteUrl(url: string, values: Record<string, string>): string {
  return url.replace(/:([A-Za-z]+)/g, (_, name: string) => values[name] ?? MISSING_ID);
}

export const OK_STATUS = (status: number) => (status >= 200 && status < 400) || status === 409;

/**
 * Makes sure a signed tree head covers bundle 1 of appliance A (uploading it when A has sent
 * nothing yet, and moving the clock past the minute between heads once); returns that seq.
 */
export async function ensureTreeHead({ t, fx, admin }: Ctx): Promise<string> {
  const latest = await admin.request({ method: 'GET', url: '/v1/tree-heads/latest' });
  if (latest.statusCode === 200) return '1';
  await fx.applianceA.upload(await fx.applianceA.next(1));
  t.clock.advance(61_000);
  await t.services.transparency.issueTreeHead();
  return '1';
}
