import type { AuditEntry, Escalation, Host, Partner, Practice, Role, Site } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../src/platform/access';
import { type Caller, signInAs, startTestApp, type TestApp, testBackends } from '../src/testing';
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
import {
  type Actor,
  type Backend,
  bearerCaller,
  concreteUrl,
  type Ctx,
  expectedOutcome,
  type Fixtures,
  type Method,
  newSession,
  OK_STATUS,
  type ParamRule,
  paramRules,
  routeKey,
} from './isolation-matrix.fixtures';
import { escalationBody, SPEC, uploadLogo } from './isolation-matrix.bodies';
import { fleetMatrixConfig } from './isolation-matrix.fleet';

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
    t = await startTestApp(backend, await fleetMatrixConfig());
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
