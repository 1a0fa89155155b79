import type { AuditEntry, Partner, Practice, Site } from '@osiris/protocol';
import { expect } from 'vitest';
import type { Caller } from './index';

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

/** A partner with one practice and one site under it. */
export async function createTenant(caller: Caller): Promise<{ partner: Partner; practice: Practice; site: Site }> {
  const slug = unique('msp');
  const partner = await createOk<Partner>(caller, '/v1/partners', { name: `MSP ${slug}`, slug });
  const practice = await createOk<Practice>(caller, '/v1/practices', { partnerId: partner.id, name: `Clinic ${slug}` });
  const site = await createOk<Site>(caller, '/v1/sites', { practiceId: practice.id, name: `Site ${slug}` });
  return { partner, practice, site };
}

/** Audit entries about one object, newest first. */
export async function auditOf(admin: Caller, targetId: string): Promise<AuditEntry[]> {
  const res = await admin.request({ method: 'GET', url: `/v1/admin/audit?limit=500&targetId=${targetId}` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { items: AuditEntry[] }).items;
}
