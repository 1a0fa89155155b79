import { z } from 'zod';
import { PartnerRole, PracticeRole, UserRole, UserStatus } from './accounts';
import { Email, Id, Timestamp, text } from './common';

/**
 * The people of a partner or a practice, their invitations, and auditors (issue 5). Partner people
 * sign in with OpenID Connect, practice people and auditors with an emailed sign-in link.
 */

export const Member = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  role: UserRole,
  status: UserStatus,
  lastLoginAt: Timestamp.nullable(),
  createdAt: Timestamp,
  /** Auditors only: the window their access is valid in. */
  accessStartsAt: Timestamp.nullable(),
  accessExpiresAt: Timestamp.nullable(),
});
export type Member = z.infer<typeof Member>;
export const MemberList = z.object({ items: z.array(Member) });

export const MemberParams = z.strictObject({ id: Id, userId: Id });

export const PartnerInvitationRequest = z.strictObject({
  email: Email,
  role: PartnerRole,
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 14)
    .default(72),
});
export type PartnerInvitationRequest = z.infer<typeof PartnerInvitationRequest>;

export const PracticeInvitationRequest = z.strictObject({
  email: Email,
  role: PracticeRole,
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 14)
    .default(72),
});
export type PracticeInvitationRequest = z.infer<typeof PracticeInvitationRequest>;

export const PartnerMemberUpdateRequest = z.strictObject({ role: PartnerRole });
/** Ownership moves only by transfer, so an update may not make anyone owner. */
export const PracticeMemberUpdateRequest = z.strictObject({ role: z.enum(['practice_admin', 'practice_viewer']) });
export type PracticeMemberUpdateRequest = z.infer<typeof PracticeMemberUpdateRequest>;

export const OwnershipTransferRequest = z.strictObject({ userId: Id });

/** What an invitation answer shows: never the token (it travels only by email). */
export const MemberInvitation = z.object({
  id: Id,
  email: z.string(),
  role: UserRole,
  partnerId: Id.nullable(),
  practiceId: Id.nullable(),
  /** The person who sent it (null: platform automation, or the account was removed). */
  invitedBy: Id.nullable(),
  expiresAt: Timestamp,
  createdAt: Timestamp,
});
export type MemberInvitation = z.infer<typeof MemberInvitation>;
/** The pending invitations of a partner or practice (not accepted, revoked or expired), newest first. */
export const MemberInvitationList = z.object({ items: z.array(MemberInvitation) });
export const InvitationParams = z.strictObject({ id: Id, invitationId: Id });

const MAX_AUDIT_DAYS = 366;

export const AuditorGrantRequest = z
  .strictObject({
    email: Email,
    name: text(200),
    /** Default: now. */
    validFrom: Timestamp.optional(),
    validUntil: Timestamp,
  })
  .refine((v) => Date.parse(v.validUntil) > Date.parse(v.validFrom ?? new Date(0).toISOString()), {
    message: 'validUntil must be after validFrom',
    path: ['validUntil'],
  });
export type AuditorGrantRequest = z.infer<typeof AuditorGrantRequest>;
export const AUDITOR_MAX_DAYS = MAX_AUDIT_DAYS;

/** Accepting a practice invitation from its emailed link (the link proves the address). */
export const LinkInvitationAcceptRequest = z.strictObject({ token: z.string().min(20).max(200), name: text(200) });
export type LinkInvitationAcceptRequest = z.infer<typeof LinkInvitationAcceptRequest>;

export const SignInLinkRequest = z.strictObject({ email: Email });
export const SignInLinkRedeemRequest = z.strictObject({ token: z.string().min(20).max(200) });
/** Always the same answer, whether or not the address has an account. */
export const SignInLinkSent = z.object({ message: z.string() });

export const PartnerDecisionRequest = z.strictObject({ note: text(1000).optional() });
export const PartnerRejectRequest = z.strictObject({ reason: text(1000) });

export const OidcProviders = z.object({ items: z.array(z.object({ id: z.string(), label: z.string() })) });
export const OidcStartParams = z.strictObject({ issuerId: z.string().regex(/^[a-z0-9-]{1,40}$/) });
export const OidcStartQuery = z.strictObject({
  intent: z.enum(['signup', 'signin']).default('signin'),
  returnTo: z.string().max(512).optional(),
});
export const OidcCallbackQuery = z.record(z.string().max(100), z.string().max(4096));
