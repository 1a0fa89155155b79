import { randomBytes } from 'node:crypto';
import type { AuditEntry, Partner, Practice, Role, Site } from '@osiris/protocol';
import { expect } from 'vitest';
import type { Caller, CallerRequest, TestApp } from './test-app';

/** Helpers for integration tests that talk to the API as a user would. Test-only (imports vitest). */
export type TestResponse = Awaited<ReturnType<Caller['request']>>;

/** A well-formed uuid v7 that no row has. */
export const MISSING_ID = '01890000-0000-7000-8000-000000000000';

let counter = 0;
/** A value no other test in this process uses (slugs, host names, emails). */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Date.now().toString(36)}`;
}

/** A unique address at test.example, starting with `prefix`. */
export function uniqueEmail(prefix: string): string {
  return `${unique(prefix)}@test.example`;
}

/** A random password that passes the password rules. */
export function newPassword(): string {
  return `pw-${randomBytes(12).toString('hex')}`;
}

/** A new user of this role with its own email (starting with `label`) and password; not signed in. */
export async function newUser(
  t: TestApp,
  role: Role = 'readonly',
  label: string = role,
): Promise<{ id: string; email: string; password: string }> {
  const email = uniqueEmail(label);
  const password = newPassword();
  const id = await t.createUser(role, email, password);
  return { id, email, password };
}

/** Asserts the status and the error envelope `{error:{code,message,requestId}}`; returns `error`. */
export function expectError(res: TestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const { error } = res.json() as {
    error: {
      code: string;
      message: string;
      details?: { issues?: { path: (string | number)[]; message: string }[] };
      requestId: string;
    };
  };
  expect(error).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
  return error;
}

/** Asserts a 400 VALIDATION_FAILED that names at least one issue; returns `error`. */
export function expectValidationIssues(res: TestResponse, label?: string) {
  const error = expectError(res, 400, 'VALIDATION_FAILED');
  expect(error.details?.issues?.length, label).toBeGreaterThan(0);
  return error;
}

/** Sends each request in turn as `caller`; every one must fail with this status and code. */
export async function expectErrorEach(
  caller: Caller,
  requests: CallerRequest[],
  status: number,
  code: string,
): Promise<void> {
  for (const request of requests) expectError(await caller.request(request), status, code);
}

/** POST that must answer 201; returns the created object. */
export async function createOk<T>(caller: Caller, url: string, payload: Record<string, unknown>): Promise<T> {
  const res = await caller.request({ method: 'POST', url, payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as T;
}

/** Every page of a list endpoint, walked with its cursors; `query` starts with `&` or is empty. */
export async function walkPages<T>(caller: Caller, path: string, query = '', limit = 200): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const after: string = cursor ? `&cursor=${cursor}` : '';
    const res = await caller.request({ method: 'GET', url: `${path}?limit=${limit}${query}${after}` });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as { items: T[]; nextCursor: string | null };
    expect(page.items.length).toBeLessThanOrEqual(limit);
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return pages;
}

/** A partner named `MSP <slug>` with a unique slug; `input` adds or overrides fields. */
export function createPartner(caller: Caller, input: Record<string, unknown> = {}): Promise<Partner> {
  const slug = unique('msp');
  return createOk<Partner>(caller, '/v1/partners', { name: `MSP ${slug}`, slug, ...input });
}

/** A partner with one practice under it, and no site. */
export async function createPartnerWithPractice(caller: Caller): Promise<{ partner: Partner; practice: Practice }> {
  const partner = await createPartner(caller);
  const practice = await createOk<Practice>(caller, '/v1/practices', {
    partnerId: partner.id,
    name: `Clinic ${partner.slug}`,
  });
  return { partner, practice };
}

/** What createTenant makes: a partner, a practice under it and a site under that. */
export interface Tenant {
  partner: Partner;
  practice: Practice;
  site: Site;
}

/** A partner with one practice and one site under it. */
export async function createTenant(caller: Caller): Promise<Tenant> {
  const { partner, practice } = await createPartnerWithPractice(caller);
  const site = await createOk<Site>(caller, '/v1/sites', { practiceId: practice.id, name: `Site ${partner.slug}` });
  return { partner, practice, site };
}

/** Audit entries matching a query such as `action=user.update&targetId=<id>`, newest first. */
export async function auditWhere(admin: Caller, query: string): Promise<AuditEntry[]> {
  const res = await admin.request({ method: 'GET', url: `/v1/admin/audit?${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { items: AuditEntry[] }).items;
}

/** Audit entries about one object, newest first. */
export function auditOf(admin: Caller, targetId: string): Promise<AuditEntry[]> {
  return auditWhere(admin, `limit=500&targetId=${targetId}`);
}

/** What the checks below send to a resource: a valid new item (`create`) and a valid change (`change`). */
export interface CrudPayloads {
  create: Record<string, unknown>;
  change: Record<string, unknown>;
}

/** The requests of the resource at `path` (e.g. `/v1/hosts`) about its item `id`. */
function crudRequests(path: string, id: string, { create, change }: Partial<CrudPayloads>) {
  const url = `${path}/${id}`;
  return {
    list: { method: 'GET', url: path },
    get: { method: 'GET', url },
    create: { method: 'POST', url: path, payload: create },
    change: { method: 'PATCH', url, payload: change },
    remove: { method: 'DELETE', url },
  } satisfies Record<string, CallerRequest>;
}

/** GET, PATCH (with `change`) and DELETE of an id no row has all answer 404 NOT_FOUND. */
export async function expectMissingIdNotFound(
  caller: Caller,
  path: string,
  change: Record<string, unknown>,
): Promise<void> {
  const r = crudRequests(path, MISSING_ID, { change });
  await expectErrorEach(caller, [r.get, r.change, r.remove], 404, 'NOT_FOUND');
}

/** Every request to the resource, reads and writes, answers 401 UNAUTHENTICATED to `anonymous`. */
export async function expectSignInRequired(
  anonymous: Caller,
  path: string,
  id: string,
  payloads: CrudPayloads,
): Promise<void> {
  const r = crudRequests(path, id, payloads);
  await expectErrorEach(anonymous, [r.list, r.get, r.create, r.change, r.remove], 401, 'UNAUTHENTICATED');
}

/**
 * The role rules every tenancy resource shares, checked on its item `id`: readonly users may read but not create,
 * change or delete; operators may create and change but not delete. Leaves a new item behind and `id` changed.
 */
export async function expectRoleRules(
  { admin, operator, readonly }: { admin: Caller; operator: Caller; readonly: Caller },
  path: string,
  id: string,
  payloads: CrudPayloads,
): Promise<void> {
  const r = crudRequests(path, id, payloads);
  expect((await readonly.request(r.get)).statusCode).toBe(200);
  expect((await readonly.request(r.list)).statusCode).toBe(200);
  await expectErrorEach(readonly, [r.create, r.change, r.remove], 403, 'FORBIDDEN');

  const created = await operator.request(r.create);
  expect(created.statusCode, created.body).toBe(201);
  const changed = await operator.request(r.change);
  expect(changed.statusCode, changed.body).toBe(200);
  expectError(await operator.request(r.remove), 403, 'FORBIDDEN');
  expect((await admin.request(r.get)).json()).toMatchObject(payloads.change);
}

/**
 * Counters use fixed windows aligned to the epoch on the real clock. Start a burst only when the
 * current window has a few seconds left, so it cannot straddle two windows.
 */
export async function awayFromWindowEdge(windowSeconds: number, marginMs = 5000): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
