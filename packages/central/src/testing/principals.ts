import { randomBytes } from 'node:crypto';
import type { PartnerRole, PracticeRole } from '@osiris/protocol';
import { SYSTEM_ACTOR } from '../platform/context';
import { newId } from '../platform/ids';
import type { Caller, TestApp } from './test-app';

/** Who to sign in: a partner person (with partnerId), a practice person or an auditor (with practiceId). */
type PrincipalSpec =
  | { role: PartnerRole; partnerId: string; email?: string }
  | { role: PracticeRole | 'auditor'; practiceId: string; email?: string };

/**
 * A signed-in caller for a new partner user, practice user or auditor, without their sign-in
 * flows: the user row is inserted directly (no password) and a session is started for it, as a
 * sign-in link would. A practice has one owner: sign in `practice_owner` once per practice.
 * Auditors get access from an hour ago to a day from now (by the test clock).
 */
export async function signInAs(
  t: TestApp,
  spec: PrincipalSpec,
): Promise<Caller & { session: { token: string; csrfToken: string } }> {
  const at = t.clock.now();
  const userId = newId();
  const email = spec.email ?? `${spec.role}-${randomBytes(5).toString('hex')}@test.example`;
  const scope =
    'partnerId' in spec
      ? { partner_id: spec.partnerId, practice_id: null }
      : { partner_id: null, practice_id: spec.practiceId };
  const auditorWindow =
    spec.role === 'auditor'
      ? { access_starts_at: new Date(at.getTime() - 3_600_000), access_expires_at: new Date(at.getTime() + 86_400_000) }
      : {};
  const issued = await t.database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('users')
      .values({
        id: userId,
        email,
        name: `Test ${spec.role}`,
        role: spec.role,
        password_hash: null,
        password_changed_at: at,
        created_at: at,
        updated_at: at,
        ...scope,
        ...auditorWindow,
      })
      .execute();
    return t.services.auth.startSession(trx, SYSTEM_ACTOR, userId, 'sign_in_link', { userAgent: null });
  });
  const session = { cookie: `osiris_session=${issued.token}`, 'x-csrf-token': issued.info.csrfToken };
  return {
    userId,
    email,
    /** For a browser: the session cookie's value and the CSRF token. */
    session: { token: issued.token, csrfToken: issued.info.csrfToken },
    request: ({ method, url, payload, headers }) =>
      t.app.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
        headers: { ...session, ...headers },
      }),
  };
}
