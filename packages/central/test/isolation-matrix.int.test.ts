import { randomUUID } from 'node:crypto';
import type {
  ApplianceEscalationRequest,
  AuditEntry,
  Escalation,
  Host,
  OrderRecord,
  Partner,
  Practice,
  Role,
  Site,
} from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessRule, isAllowed, type Principal } from '../src/platform/access';
import type { RouteEntry } from '../src/platform/auth';
import { SYSTEM_ACTOR } from '../src/platform/context';
import { type Caller, type CallerRequest, signInAs, startTestApp, type TestApp, testBackends } from '../src/testing';
import {
  createOk,
  createPartner,
  createTenant,
  MISSING_ID,
  newPassword,
  type Tenant,
  unique,
  uniqueEmail,
  walkPages,
} from '../src/testing/api';
import { registerTestAppliance } from '../src/testing/appliance';
import { checkinRequest, newApplianceIdentity, registrationRequest } from '../src/testing/appliance-wire';

/**
 * Tenant isolation, route by route (issue 5): every route of the route table, called by every kind
 * of principal, with the outcome computed from the route's declared access and where the addressed
 * object sits. New routes join by themselves; a new path parameter without a fixture, or a new
 * mutating route without a valid body (answering 400), fails the matrix until this file learns it.
 *
 * Expected outcomes:
 * - public routes: never 401/403 (unless SPEC says why), never 5xx;
 * - appliance routes: the appliance token gets through; everyone else 401;
 * - person routes: anonymous, the appliance token and an expired auditor 401; a principal the rule
 *   does not allow 403 (audited); an allowed principal that does not reach the addressed tenant-A
 *   object 404; anyone else 2xx/3xx/409 (or what SPEC allows, with its reason); never 5xx;
 * - no 2xx answer to a partner/practice principal carries an id of the other tenant.
 */

type Method = CallerRequest['method'];
type Backend = (typeof testBackends)[number];

/** Who calls: how the server should see them. */
type Who =
  | { kind: 'anonymous' }
  | { kind: 'appliance' }
  /** A person whose session the server must refuse (an auditor whose window has passed). */
  | { kind: 'refused' }
  | { kind: 'person'; principal: Principal; tenant: 'A' | 'B' | 'all' };

interface Actor {
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

interface Fixtures {
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

interface Ctx {
  t: TestApp;
  fx: Fixtures;
  actor: Actor;
  admin: Caller;
}

/** How a route is called once the caller is through authentication and the access rule. */
interface Spec {
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

const SESSION_ONLY = 'an API key has no session (no profile, no sessions to list or end): requireAuth answers 401';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const HEX64 = 'a'.repeat(64);

function escalationBody(): ApplianceEscalationRequest {
  const at = new Date().toISOString();
  return {
    schemaVersion: 1,
    id: randomUUID(),
    hostId: randomUUID(),
    hostname: 'web01',
    checkId: 'linux.ssh.permit-root-login',
    priority: 'high',
    summary: 'Root can log in over SSH; the fix needs a person.',
    detected: { reason: 'PermitRootLogin is yes', observed: { permitRootLogin: 'yes' } },
    attempts: [
      { tier: 'L1', runbookId: null, ruleId: null, outcome: 'escalated', startedAt: at, durationMs: 3, error: null },
    ],
    evidenceSeqs: [1],
    createdAt: at,
  };
}

async function uploadLogo({ admin, fx }: Ctx): Promise<void> {
  const res = await admin.request({
    method: 'PUT',
    url: `/v1/partners/${fx.a.partner.id}/logo`,
    payload: PNG,
    headers: { 'content-type': 'image/png' },
  });
  if (res.statusCode !== 200) throw new Error(`logo upload failed: ${res.statusCode} ${res.body}`);
}

/** Valid bodies and the few explicit exceptions, by `METHOD url`. Mutating routes not listed get {}. */
const SPEC: Record<string, Spec> = {
  // ---- public ----
  // Signing in ends the session the request's cookie names (no session fixation): a session of its own.
  'POST /v1/auth/login': { body: ({ fx }) => fx.loginUser, ownSession: true },
  'POST /v1/auth/invitations/accept': {
    body: async ({ t }) => {
      const { token } = await t.services.accounts.invite(SYSTEM_ACTOR, {
        email: uniqueEmail('accept'),
        role: 'readonly',
        expiresInHours: 1,
      });
      return { token, name: 'Invited Person', password: newPassword() };
    },
    ownSession: true,
  },
  'POST /v1/auth/invitations/accept-link': {
    body: () => ({ token: 'x'.repeat(43), name: 'Link Person' }),
    publicOutcome: {
      status: 401,
      code: 'LINK_INVALID',
      why: 'the invitation token travels only by email; a made-up one is refused as a bad link',
    },
  },
  'POST /v1/auth/sign-in-links': { body: () => ({ email: uniqueEmail('link') }) },
  'POST /v1/auth/sign-in-links/redeem': {
    body: () => ({ token: 'x'.repeat(43) }),
    publicOutcome: {
      status: 401,
      code: 'LINK_INVALID',
      why: 'the sign-in token travels only by email; a made-up one is refused as a bad link',
    },
  },
  'GET /v1/auth/oidc/callback': {
    publicOutcome: {
      status: 401,
      code: 'OIDC_FAILED',
      why: 'a callback needs a real provider round trip; without state it is refused as a failed sign-in',
    },
  },
  'POST /v1/appliance/register': {
    body: async ({ t, admin, fx }) => {
      const { code } = await createOk<{ code: string }>(admin, `/v1/sites/${fx.a.site.id}/provision-codes`, {});
      return registrationRequest(newApplianceIdentity(), code, { signedAt: t.clock.now().toISOString() });
    },
  },

  // ---- the caller's own session and credentials ----
  'POST /v1/auth/logout': { ownSession: true, sessionOnly: SESSION_ONLY },
  'GET /v1/auth/me': { sessionOnly: SESSION_ONLY },
  'GET /v1/auth/sessions': { sessionOnly: SESSION_ONLY },
  'DELETE /v1/auth/sessions/:sessionId': { sessionOnly: SESSION_ONLY },
  'POST /v1/auth/password': {
    body: ({ actor }) => {
      const next = newPassword();
      const body = { currentPassword: actor.password ?? 'not-a-platform-user-1', newPassword: next };
      actor.password = next;
      return body;
    },
  },
  'POST /v1/auth/totp/enable': {
    body: () => ({ code: '000000' }),
    alsoOk: {
      statuses: [400],
      why: 'a valid code needs the secret from setup; the wrong code is refused (400) after authorization',
    },
  },
  'POST /v1/auth/totp/disable': {
    body: ({ actor }) => ({ password: actor.password ?? 'x'.repeat(12), code: '000000' }),
  },

  // ---- platform administration ----
  'PATCH /v1/admin/users/:id': { body: () => ({ name: 'Renamed Target' }) },
  'POST /v1/admin/invitations': { body: () => ({ email: uniqueEmail('inv'), role: 'readonly' }) },
  'POST /v1/partners/:id/reject': { body: () => ({ reason: 'Not a healthcare MSP.' }) },

  // ---- people ----
  'POST /v1/partners/:id/invitations': { body: () => ({ email: uniqueEmail('pinv'), role: 'technician' }) },
  'PATCH /v1/partners/:id/members/:userId': { body: () => ({ role: 'technician' }) },
  'POST /v1/practices/:id/invitations': { body: () => ({ email: uniqueEmail('cinv'), role: 'practice_viewer' }) },
  'PATCH /v1/practices/:id/members/:userId': { body: () => ({ role: 'practice_viewer' }) },
  // Handing ownership to the owner itself is refused (409) after authorization: the check runs,
  // practice A keeps its owner for the rest of the matrix.
  'POST /v1/practices/:id/ownership': { body: ({ fx }) => ({ userId: fx.practiceOwnerA }) },
  'POST /v1/practices/:id/auditors': {
    body: ({ t }) => ({
      email: uniqueEmail('aud'),
      name: 'Outside Auditor',
      validUntil: new Date(t.clock.now().getTime() + 7 * 86_400_000).toISOString(),
    }),
  },

  // ---- tenancy ----
  'POST /v1/partners': { body: () => ({ name: 'MSP new', slug: unique('msp') }) },
  'PATCH /v1/partners/:id': { body: () => ({ name: 'MSP A renamed' }) },
  'POST /v1/practices': { body: ({ fx }) => ({ partnerId: fx.a.partner.id, name: 'Clinic new' }), bodyInTenantA: true },
  'PATCH /v1/practices/:id': { body: () => ({ name: 'Clinic A renamed' }) },
  'POST /v1/sites': { body: ({ fx }) => ({ practiceId: fx.a.practice.id, name: 'Site new' }), bodyInTenantA: true },
  'PATCH /v1/sites/:id': { body: () => ({ name: 'Site A renamed' }) },
  'POST /v1/hosts': {
    body: ({ fx }) => ({ siteId: fx.a.site.id, hostname: unique('h'), platform: 'linux', role: 'server' }),
    bodyInTenantA: true,
  },
  'PATCH /v1/hosts/:id': { body: () => ({ role: 'server' }) },
  'POST /v1/appliances/:id/orders': { body: () => ({ type: 'run_checks_now', payload: {} }) },
  'POST /v1/escalations/:id/resolve': { body: () => ({ resolution: 'Disabled root login.' }) },
  'POST /v1/learning/candidates/:id/reject': { body: () => ({ note: 'Not general enough.' }) },
  'POST /v1/partners/:id/api-keys': { body: () => ({ name: unique('key'), scope: 'read' }) },
  'PUT /v1/partners/:id/branding': { body: () => ({ brandName: 'Clinic IT', color: '#112233' }) },
  'PUT /v1/partners/:id/logo': { body: () => PNG, headers: { 'content-type': 'image/png' } },
  'DELETE /v1/partners/:id/logo': { prepare: uploadLogo },
  'GET /v1/partners/:id/logo': {
    prepare: uploadLogo,
    noLeakCheck: 'the answer is the image bytes, not JSON',
  },
  'POST /v1/practices/:id/transfer-requests': {
    body: ({ fx }) => ({ toPartnerId: fx.partnerC.id, reason: 'Moving to a new MSP.' }),
  },
  'POST /v1/admin/practice-transfers/:id/reject': { body: () => ({ note: 'Talk to your MSP first.' }) },

  // ---- appliance gateway ----
  'POST /v1/appliance/checkin': { body: ({ t }) => checkinRequest({ sentAt: t.clock.now().toISOString() }) },
  'POST /v1/appliance/evidence': {
    body: async ({ fx }) => ({ schemaVersion: 1, bundles: await fx.applianceA.next(1) }),
  },
  'POST /v1/appliance/orders/:orderId/result': { body: () => ({ schemaVersion: 1, outcome: 'succeeded' }) },
  'POST /v1/appliance/token': {
    body: ({ t }) => ({
      schemaVersion: 1,
      orderId: randomUUID(),
      signedAt: t.clock.now().toISOString(),
      signature: 'A'.repeat(86),
    }),
    alsoOk: {
      statuses: [404],
      why: 'a real rotation would replace the token of appliance A that the rest of the matrix uses; no open rotate_token order has this id',
    },
  },
  'POST /v1/appliance/escalations': { body: () => escalationBody() },
  'POST /v1/appliance/patterns': { body: () => ({ schemaVersion: 1, patterns: [] }) },
};

/** A path parameter's fixture: matched by exact route (`METHOD url`) or by url pattern; first match wins. */
interface ParamRule {
  route?: string;
  url?: RegExp;
  param: string;
  scope: Scope;
  why?: string;
  value: (ctx: Ctx) => string | Promise<string>;
}

const freshPractice = async ({ admin, fx }: Ctx) =>
  (await createOk<Practice>(admin, '/v1/practices', { partnerId: fx.a.partner.id, name: unique('Clinic') })).id;

const PARAMS: ParamRule[] = [
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
];

const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
const paramsOf = (url: string) => [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);

function ruleFor(route: RouteEntry, param: string): ParamRule | undefined {
  const key = routeKey(route);
  return PARAMS.find((r) => r.param === param && (r.route ? r.route === key : (r.url as RegExp).test(route.url)));
}

/** Every parameter of the route has a fixture; otherwise the message names the route. */
function paramRules(route: RouteEntry): ParamRule[] {
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

function expectedOutcome(route: RouteEntry, actor: Actor, scopes: Scope[], spec: Spec): Expected {
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
function bearerCaller(t: TestApp, token: string): Caller {
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
async function newSession(t: TestApp, userId: string): Promise<{ caller: Caller; sessionId: string }> {
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

function concreteUrl(url: string, values: Record<string, string>): string {
  return url.replace(/:([A-Za-z]+)/g, (_, name: string) => values[name] ?? MISSING_ID);
}

const OK_STATUS = (status: number) => (status >= 200 && status < 400) || status === 409;

describe.each(testBackends)('tenant isolation matrix on %s', (backend: Backend) => {
  let t: TestApp;
  let admin: Caller;
  let fx: Fixtures;
  const actors: Actor[] = [];
  /** `actorId method route` of every 403 the matrix expected (each must be audited). */
  const expectedDenials: string[] = [];

  async function platformActor(role: Role): Promise<Actor> {
    const email = uniqueEmail(`matrix-${role}`);
    const password = newPassword();
    const userId = await t.createUser(role, email, password);
    const caller = await t.login(email, password);
    return {
      name: `platform ${role}`,
      who: { kind: 'person', principal: { kind: 'platform', role }, tenant: 'all' },
      caller,
      userId,
      actorId: userId,
      password,
    };
  }

  async function signedIn(
    name: string,
    spec: Parameters<typeof signInAs>[1],
    principal: Principal,
    tenant: 'A' | 'B',
  ): Promise<Actor> {
    const caller = await signInAs(t, spec);
    return {
      name,
      who: { kind: 'person', principal, tenant },
      caller,
      userId: caller.userId,
      actorId: caller.userId,
    };
  }

  async function apiKeyActor(name: string, partnerId: string, scope: 'read' | 'read_write'): Promise<Actor> {
    const created = await createOk<{ apiKey: { id: string }; key: string }>(
      admin,
      `/v1/partners/${partnerId}/api-keys`,
      {
        name: unique('matrix-key'),
        scope,
      },
    );
    const role = scope === 'read_write' ? 'technician' : 'partner_readonly';
    return {
      name,
      who: { kind: 'person', principal: { kind: 'partner', role, partnerId }, tenant: 'A' },
      caller: bearerCaller(t, created.key),
      userId: null,
      actorId: created.apiKey.id,
    };
  }

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
    const a = await createTenant(admin);
    const b = await createTenant(admin);
    const partnerC = await createPartner(admin);
    const host = (siteId: string) =>
      createOk<Host>(admin, '/v1/hosts', { siteId, hostname: unique('fs'), platform: 'linux', role: 'server' });
    const hostA = await host(a.site.id);
    const hostB = await host(b.site.id);
    const applianceA = await registerTestAppliance(t, admin, a.site.id);
    const sent = await t.anonymous.request({
      method: 'POST',
      url: '/v1/appliance/escalations',
      payload: escalationBody(),
      headers: { authorization: `Bearer ${applianceA.token}` },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const practiceOwnerA = await signInAs(t, { role: 'practice_owner', practiceId: a.practice.id });
    const loginEmail = uniqueEmail('login');
    const loginPassword = newPassword();
    await t.createUser('readonly', loginEmail, loginPassword);
    fx = {
      a,
      b,
      partnerC,
      hostA,
      hostB,
      applianceA,
      escalationA: sent.json() as Escalation,
      partnerMemberA: (await signInAs(t, { role: 'technician', partnerId: a.partner.id })).userId ?? '',
      practiceMemberA: (await signInAs(t, { role: 'practice_viewer', practiceId: a.practice.id })).userId ?? '',
      practiceOwnerA: practiceOwnerA.userId ?? '',
      targetUser: await t.createUser('readonly', uniqueEmail('target'), newPassword()),
      loginUser: { email: loginEmail, password: loginPassword },
    };
    await uploadLogo({ t, fx, admin, actor: undefined as unknown as Actor });

    const pA = a.partner.id;
    const cA = a.practice.id;
    const expiredAuditor = await signInAs(t, { role: 'auditor', practiceId: cA });
    const at = t.clock.now().getTime();
    await t.database.db
      .updateTable('users')
      .set({ access_starts_at: new Date(at - 2 * 86_400_000), access_expires_at: new Date(at - 86_400_000) })
      .where('id', '=', expiredAuditor.userId ?? '')
      .execute();
    actors.push(
      { name: 'anonymous', who: { kind: 'anonymous' }, caller: t.anonymous, userId: null, actorId: null },
      await platformActor('admin'),
      await platformActor('operator'),
      await platformActor('readonly'),
      await signedIn(
        'partner A admin',
        { role: 'partner_admin', partnerId: pA },
        { kind: 'partner', role: 'partner_admin', partnerId: pA },
        'A',
      ),
      await signedIn(
        'partner A technician',
        { role: 'technician', partnerId: pA },
        { kind: 'partner', role: 'technician', partnerId: pA },
        'A',
      ),
      await apiKeyActor('partner A read-only API key', pA, 'read'),
      await apiKeyActor('partner A read-write API key', pA, 'read_write'),
      await signedIn(
        'partner B admin',
        { role: 'partner_admin', partnerId: b.partner.id },
        { kind: 'partner', role: 'partner_admin', partnerId: b.partner.id },
        'B',
      ),
      {
        name: 'practice A owner',
        who: {
          kind: 'person',
          principal: { kind: 'practice', role: 'practice_owner', practiceId: cA, partnerId: pA },
          tenant: 'A',
        },
        caller: practiceOwnerA,
        userId: practiceOwnerA.userId,
        actorId: practiceOwnerA.userId,
      },
      await signedIn(
        'practice A viewer',
        { role: 'practice_viewer', practiceId: cA },
        { kind: 'practice', role: 'practice_viewer', practiceId: cA, partnerId: pA },
        'A',
      ),
      await signedIn(
        'practice B owner',
        { role: 'practice_owner', practiceId: b.practice.id },
        { kind: 'practice', role: 'practice_owner', practiceId: b.practice.id, partnerId: b.partner.id },
        'B',
      ),
      await signedIn(
        'auditor of A',
        { role: 'auditor', practiceId: cA },
        { kind: 'auditor', practiceId: cA, partnerId: pA, accessExpiresAt: new Date(at + 86_400_000) },
        'A',
      ),
      {
        name: 'expired auditor of A',
        who: { kind: 'refused' },
        caller: expiredAuditor,
        userId: expiredAuditor.userId,
        actorId: expiredAuditor.userId,
      },
      {
        name: 'appliance A token',
        who: { kind: 'appliance' },
        caller: bearerCaller(t, applianceA.token),
        userId: null,
        actorId: null,
      },
    );
  }, 120_000);
  afterAll(() => t?.close());

  it('has a fixture for every path parameter of every route', () => {
    const missing: string[] = [];
    for (const route of t.routeTable) {
      try {
        paramRules(route);
      } catch (error) {
        missing.push((error as Error).message);
      }
    }
    expect(missing).toEqual([]);
    const unknownSpecs = Object.keys(SPEC).filter((key) => !t.routeTable.some((r) => routeKey(r) === key));
    expect(unknownSpecs, 'SPEC entries for routes that no longer exist').toEqual([]);
  });

  it('answers every route × principal as its access rule and tenancy say', async () => {
    const failures: string[] = [];
    const overrides = new Set<string>();
    for (const [key, spec] of Object.entries(SPEC)) {
      if (spec.alsoOk) overrides.add(`${key}: also ${spec.alsoOk.statuses.join('/')} — ${spec.alsoOk.why}`);
      if (spec.publicOutcome)
        overrides.add(`${key}: ${spec.publicOutcome.status} ${spec.publicOutcome.code} — ${spec.publicOutcome.why}`);
      if (spec.sessionOnly) overrides.add(`${key}: API keys 401 — ${spec.sessionOnly}`);
      if (spec.noLeakCheck) overrides.add(`${key}: no leak check — ${spec.noLeakCheck}`);
    }
    const idsOf = (tenant: Tenant, extra: string[]) => [
      tenant.partner.id,
      tenant.practice.id,
      tenant.site.id,
      ...extra,
    ];
    const idsA = idsOf(fx.a, [fx.hostA.id, fx.applianceA.applianceId, fx.escalationA.id]);
    const idsB = idsOf(fx.b, [fx.hostB.id]);
    let cells = 0;
    const tally: Record<string, number> = {};

    for (const route of t.routeTable) {
      const key = routeKey(route);
      const spec = SPEC[key] ?? {};
      let rules: ParamRule[];
      try {
        rules = paramRules(route);
      } catch (error) {
        failures.push((error as Error).message);
        continue;
      }
      for (const rule of rules) if (rule.why) overrides.add(`${key} :${rule.param}: ${rule.why}`);
      const scopes = rules.map((r) => r.scope);
      for (const actor of actors) {
        cells += 1;
        const cell = `${actor.name} → ${key}`;
        const expected = expectedOutcome(route, actor, scopes, spec);
        const label = expected.kind === 'error' ? String(expected.status) : expected.kind;
        tally[label] = (tally[label] ?? 0) + 1;
        const through =
          expected.kind !== 'error' ||
          expected.status === 404 ||
          (expected.status === 401 && actor.who.kind === 'person');
        try {
          const ctx: Ctx = { t, fx, actor, admin };
          const values: Record<string, string> = {};
          for (const rule of rules) values[rule.param] = through ? await rule.value(ctx) : MISSING_ID;
          if (through && spec.prepare) await spec.prepare(ctx);
          const method = route.method as Method;
          const mutating = method !== 'GET' && method !== 'DELETE';
          const payload = through && spec.body ? await spec.body(ctx) : mutating ? {} : undefined;
          const caller =
            through && spec.ownSession && actor.userId ? (await newSession(t, actor.userId)).caller : actor.caller;
          const res = await caller.request({
            method,
            url: concreteUrl(route.url, values),
            ...(payload === undefined ? {} : { payload }),
            ...(through && spec.headers ? { headers: spec.headers } : {}),
          });
          const code = (() => {
            try {
              return (res.json() as { error?: { code?: string } }).error?.code;
            } catch {
              return undefined;
            }
          })();
          const got = `${res.statusCode}${code ? ` ${code}` : ''}`;
          const detail = `${cell}: got ${got}: ${res.body.slice(0, 200)}`;
          if (res.statusCode >= 500) failures.push(`${cell}: expected no 5xx, ${detail}`);
          else if (expected.kind === 'public') {
            if (expected.override) {
              if (res.statusCode !== expected.override.status || code !== expected.override.code)
                failures.push(`${cell}: expected ${expected.override.status} ${expected.override.code}, ${detail}`);
            } else if (res.statusCode === 401 || res.statusCode === 403)
              failures.push(`${cell}: expected a public route to let anyone through, ${detail}`);
          } else if (expected.kind === 'error') {
            if (res.statusCode !== expected.status || code !== expected.code)
              failures.push(`${cell}: expected ${expected.status} ${expected.code}, ${detail}`);
            else if (expected.status === 403) expectedDenials.push(`${actor.actorId} ${route.method} ${route.url}`);
          } else if (!OK_STATUS(res.statusCode) && !expected.alsoOk.includes(res.statusCode))
            failures.push(`${cell}: expected 2xx/3xx/409${expected.alsoOk.map((s) => `/${s}`).join('')}, ${detail}`);

          // Nothing of the other tenant in what a tenant principal is shown.
          const who = actor.who;
          const personRoute = route.access !== 'public' && route.access !== 'appliance';
          if (
            personRoute &&
            who.kind === 'person' &&
            who.tenant !== 'all' &&
            res.statusCode < 300 &&
            !spec.noLeakCheck
          ) {
            const foreign = who.tenant === 'A' ? idsB : idsA;
            const leaked = foreign.filter((id) => res.body.includes(id));
            if (leaked.length > 0) failures.push(`${cell}: shows ids of the other tenant ${leaked.join(', ')}`);
          }
        } catch (error) {
          failures.push(`${cell}: ${(error as Error).stack ?? String(error)}`);
        }
      }
    }
    console.info(
      `isolation matrix (${backend}): ${t.routeTable.length} routes × ${actors.length} principals = ${cells} cells (${Object.entries(
        tally,
      )
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ')}); ${overrides.size} overrides`,
    );
    for (const line of overrides) console.info(`  override: ${line}`);
    expect(cells).toBe(t.routeTable.length * actors.length);
    expect(failures).toEqual([]);
  }, 180_000);

  it('audits every 403 denial of the matrix as security.access_denied', async () => {
    expect(expectedDenials.length).toBeGreaterThan(0);
    const entries = (
      await walkPages<AuditEntry>(admin, '/v1/admin/audit', '&action=security.access_denied', 500)
    ).flat();
    const audited = entries.map((e) => `${e.actorId} ${String(e.details.method)} ${String(e.details.route)}`);
    expect(audited.sort()).toEqual([...expectedDenials].sort());
  });

  it('lists only what each tenant principal reaches', async () => {
    const by = (name: string) => {
      const actor = actors.find((a) => a.name === name);
      if (!actor) throw new Error(`no principal ${name}`);
      return actor.caller;
    };
    const list = async <T>(name: string, path: string) => (await walkPages<T>(by(name), path, '', 200)).flat();

    const sitesB = await list<Site>('partner B admin', '/v1/sites');
    expect(sitesB.map((s) => s.id)).toContain(fx.b.site.id);
    expect(sitesB.map((s) => s.id)).not.toContain(fx.a.site.id);
    expect(sitesB.every((s) => s.partnerId === fx.b.partner.id)).toBe(true);

    const sitesViewerA = await list<Site>('practice A viewer', '/v1/sites');
    expect(sitesViewerA.map((s) => s.id)).toContain(fx.a.site.id);
    expect(sitesViewerA.every((s) => s.practiceId === fx.a.practice.id)).toBe(true);

    const escalationsB = await list<Escalation>('practice B owner', '/v1/escalations');
    expect(escalationsB.map((e) => e.id)).not.toContain(fx.escalationA.id);
    const escalationsA = await list<Escalation>('practice A viewer', '/v1/escalations');
    expect(escalationsA.map((e) => e.id)).toContain(fx.escalationA.id);
    const escalationsPartnerB = await list<Escalation>('partner B admin', '/v1/escalations');
    expect(escalationsPartnerB.map((e) => e.id)).not.toContain(fx.escalationA.id);

    for (const name of ['partner A admin', 'partner A read-only API key', 'partner A read-write API key'])
      expect(
        (await list<Partner>(name, '/v1/partners')).map((p) => p.id),
        name,
      ).toEqual([fx.a.partner.id]);
    expect((await list<Partner>('partner B admin', '/v1/partners')).map((p) => p.id)).toEqual([fx.b.partner.id]);

    for (const name of ['practice A owner', 'practice A viewer', 'auditor of A', 'practice B owner']) {
      const res = await by(name).request({ method: 'GET', url: '/v1/practices?limit=200' });
      if (res.statusCode === 200) {
        const ids = (res.json() as { items: Practice[] }).items.map((p) => p.id);
        expect(ids, name).not.toContain(name.includes(' B ') ? fx.a.practice.id : fx.b.practice.id);
      }
    }
    const practicesPartnerA = await list<Practice>('partner A technician', '/v1/practices');
    expect(practicesPartnerA.map((p) => p.id)).toContain(fx.a.practice.id);
    expect(practicesPartnerA.every((p) => p.partnerId === fx.a.partner.id)).toBe(true);

    const hostsB = await list<Host>('partner B admin', '/v1/hosts');
    expect(hostsB.map((h) => h.id)).toEqual([fx.hostB.id]);
    const hostsKey = await list<Host>('partner A read-only API key', '/v1/hosts');
    expect(hostsKey.map((h) => h.id)).toContain(fx.hostA.id);
    expect(hostsKey.every((h) => h.partnerId === fx.a.partner.id)).toBe(true);
  });

  it('lists its own practice to practice people (GET /v1/practices)', async () => {
    const ids = async (name: string) => {
      const actor = actors.find((a) => a.name === name);
      if (!actor) throw new Error(`no principal ${name}`);
      return (await walkPages<Practice>(actor.caller, '/v1/practices')).flat().map((p) => p.id);
    };
    expect(await ids('practice A owner')).toEqual([fx.a.practice.id]);
    expect(await ids('practice A viewer')).toEqual([fx.a.practice.id]);
    expect(await ids('practice B owner')).toEqual([fx.b.practice.id]);
  });
});
