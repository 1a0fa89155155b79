import { randomUUID } from 'node:crypto';
import type { ApplianceEscalationRequest } from '@osiris/protocol';
import { SYSTEM_ACTOR } from '../src/platform/context';
import { createOk, newPassword, unique, uniqueEmail } from '../src/testing/api';
import { checkinRequest, newApplianceIdentity, registrationRequest } from '../src/testing/appliance-wire';
import {
  attestationBody,
  type Ctx,
  ensureTreeHead,
  exceptionBody,
  freshNotificationChannel,
  packetBody,
  type Spec,
} from './isolation-matrix.fixtures';
import { FLEET_SPEC } from './isolation-matrix.fleet';

/** The valid bodies of the tenant isolation matrix, by route, and the few explicit exceptions. */
const SESSION_ONLY = 'an API key has no session (no profile, no sessions to list or end): requireAuth answers 401';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

export function escalationBody(): ApplianceEscalationRequest {
  const at = new Date().toISOString();
  return {
    schemaVersion: 1,
    id: randomUUID(),
    hostId: randomUUID(),
    hostname: 'web01',
    checkId: 'linux.ssh.permit-root-login',
    priority: 'P2',
    summary: 'Root can log in over SSH; the fix needs a person.',
    detected: { reason: 'PermitRootLogin is yes', observed: { permitRootLogin: 'yes' } },
    attempts: [
      { tier: 'L1', runbookId: null, ruleId: null, outcome: 'escalated', startedAt: at, durationMs: 3, error: null },
    ],
    evidenceSeqs: [1],
    createdAt: at,
  };
}

export async function uploadLogo({ admin, fx }: Ctx): Promise<void> {
  const res = await admin.request({
    method: 'PUT',
    url: `/v1/partners/${fx.a.partner.id}/logo`,
    payload: PNG,
    headers: { 'content-type': 'image/png' },
  });
  if (res.statusCode !== 200) throw new Error(`logo upload failed: ${res.statusCode} ${res.body}`);
}

/** Valid bodies and the few explicit exceptions, by `METHOD url`. Mutating routes not listed get {}. */
export const SPEC: Record<string, Spec> = {
  // Releases and rollouts (isolation-matrix.fleet.ts).
  ...FLEET_SPEC,
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
  'POST /v1/sites/:id/exceptions': { body: ({ t }) => exceptionBody(t) },
  'POST /v1/escalations/:id/assign': { body: () => ({ userId: null }) },
  'POST /v1/escalations/:id/notes': { body: () => ({ body: 'Called the practice.' }) },
  'PUT /v1/partners/:id/escalation-sla': { body: () => ({ P1: 20 }) },
  'PUT /v1/sites/:id/frameworks': { body: () => ({ preset: 'healthcare' }) },
  'PUT /v1/partners/:id/compliance-defaults': { body: () => ({ preset: 'healthcare' }) },
  'POST /v1/practices/:id/attestations': { body: ({ t }) => attestationBody(t) },
  'POST /v1/exceptions/:id/reject': { body: () => ({ note: 'Fix the host instead.' }) },
  'POST /v1/exceptions/:id/revoke': { body: () => ({ note: 'The vendor fixed it.' }) },
  'POST /v1/practices/:id/packets': { body: () => packetBody() },
  'GET /v1/packets/:id/pdf': { noLeakCheck: 'the answer is the PDF bytes, not JSON' },
  'PUT /v1/partners/:id/retention': { body: () => ({ evidenceRetentionMonths: 84 }) },
  'PUT /v1/practices/:id/retention': { body: () => ({ evidenceRetentionMonths: null }) },
  'PUT /v1/sites/:id/agent-tier': { body: () => ({ tier: 'self_heal' }) },
  'GET /v1/practices/:id/evidence-export': {
    prepare: async (ctx) => {
      await ensureTreeHead(ctx);
    },
    noLeakCheck: 'the answer is a deflated ZIP, not JSON; exports.int.test.ts checks what it holds',
  },

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
  'POST /v1/appliance/agents': { body: () => ({ schemaVersion: 1, agents: [] }) },

  // ---- notifications ----
  'POST /v1/notification-channels': {
    body: ({ fx }) => ({
      partnerId: fx.a.partner.id,
      name: unique('channel'),
      settings: { kind: 'email', addresses: ['oncall@test.example'] },
    }),
    bodyInTenantA: true,
  },
  'PATCH /v1/notification-channels/:id': { body: () => ({ name: 'Renamed channel' }) },
  'POST /v1/notification-rules': {
    body: async (ctx) => ({
      partnerId: ctx.fx.a.partner.id,
      eventTypes: ['escalation.created'],
      minPriority: 'P2',
      channelIds: [await freshNotificationChannel(ctx)],
    }),
    bodyInTenantA: true,
  },
  'PATCH /v1/notification-rules/:id': { body: () => ({ minPriority: 'P3' }) },

  // ---- transparency log ----
  'GET /v1/tree-heads/latest': {
    prepare: async (ctx) => {
      await ensureTreeHead(ctx);
    },
  },
  'GET /v1/tree-heads/consistency': {
    alsoOk: { statuses: [400], why: 'the matrix sends no query; first and second are required sizes' },
  },
};
