import { z } from 'zod';
import { Email, Id, PageQuery, Timestamp, page, text } from './common';

export const Role = z.enum(['admin', 'operator', 'readonly']);
export type Role = z.infer<typeof Role>;

/** Roles ordered by reach: each includes everything the ones after it may do. */
export const ROLE_RANK: Record<Role, number> = { admin: 3, operator: 2, readonly: 1 };

/** People of a partner (an MSP): its admins, and technicians who run its sites. */
export const PartnerRole = z.enum(['partner_admin', 'technician']);
export type PartnerRole = z.infer<typeof PartnerRole>;

/** People of a practice (a clinic): one owner, admins, viewers. */
export const PracticeRole = z.enum(['practice_owner', 'practice_admin', 'practice_viewer']);
export type PracticeRole = z.infer<typeof PracticeRole>;

/** Every role a person can hold: platform staff (`Role`), partner, practice, or auditor of one practice. */
export const UserRole = z.enum([...Role.options, ...PartnerRole.options, ...PracticeRole.options, 'auditor']);
export type UserRole = z.infer<typeof UserRole>;

export const UserStatus = z.enum(['active', 'disabled']);
export type UserStatus = z.infer<typeof UserStatus>;

/** A new password: length only, plus the server-side common-password list. Max bounds hashing cost. */
export const NewPassword = z.string().min(12, 'must be at least 12 characters').max(256);
const Password = z.string().min(1).max(256);
export const TotpCode = z.string().regex(/^\d{6}$/, 'six digits');

export const User = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  role: UserRole,
  /** The partner a partner user belongs to; null otherwise. */
  partnerId: Id.nullable(),
  /** The practice a practice user or auditor belongs to; null otherwise. */
  practiceId: Id.nullable(),
  /** For auditors: when their access ends by itself. */
  accessExpiresAt: Timestamp.nullable(),
  status: UserStatus,
  totpEnabled: z.boolean(),
  lockedUntil: Timestamp.nullable(),
  lastLoginAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type User = z.infer<typeof User>;

export const LoginRequest = z.strictObject({ email: Email, password: Password, totpCode: TotpCode.optional() });
export type LoginRequest = z.infer<typeof LoginRequest>;
export const SessionInfo = z.object({ user: User, csrfToken: z.string(), expiresAt: Timestamp });
export type SessionInfo = z.infer<typeof SessionInfo>;

export const PasswordChangeRequest = z.strictObject({ currentPassword: Password, newPassword: NewPassword });
export type PasswordChangeRequest = z.infer<typeof PasswordChangeRequest>;

export const TotpSetupResponse = z.object({ secret: z.string(), otpauthUrl: z.string() });
export const TotpEnableRequest = z.strictObject({ code: TotpCode });
export const TotpDisableRequest = z.strictObject({ password: Password, code: TotpCode });

export const Session = z.object({
  id: Id,
  userId: Id,
  current: z.boolean(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp,
});
export type Session = z.infer<typeof Session>;
export const SessionList = z.object({ items: z.array(Session) });
export const SessionParams = z.strictObject({ sessionId: Id });
export const UserSessionParams = z.strictObject({ id: Id, sessionId: Id });

export const UserListQuery = PageQuery.extend({ role: Role.optional(), status: UserStatus.optional() });
export type UserListQuery = z.infer<typeof UserListQuery>;
export const UserPage = page(User);
export const UserUpdateRequest = z
  .strictObject({ name: text(200).optional(), role: Role.optional(), status: UserStatus.optional() })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'at least one field is required' });
export type UserUpdateRequest = z.infer<typeof UserUpdateRequest>;

export const Invitation = z.object({
  id: Id,
  email: z.string(),
  role: UserRole,
  partnerId: Id.nullable(),
  practiceId: Id.nullable(),
  invitedBy: Id.nullable(),
  expiresAt: Timestamp,
  acceptedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type Invitation = z.infer<typeof Invitation>;
export const InvitationCreateRequest = z.strictObject({
  email: Email,
  role: Role,
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 14)
    .default(72),
});
export type InvitationCreateRequest = z.infer<typeof InvitationCreateRequest>;
/** The token is shown once, here; only its hash is stored. */
export const InvitationCreated = z.object({ invitation: Invitation, token: z.string(), acceptUrl: z.string() });
export const InvitationListQuery = PageQuery.extend({
  state: z.enum(['pending', 'accepted', 'revoked', 'expired']).optional(),
});
export type InvitationListQuery = z.infer<typeof InvitationListQuery>;
export const InvitationPage = page(Invitation);
export const InvitationAcceptRequest = z.strictObject({
  token: z.string().min(20).max(200),
  name: text(200),
  password: NewPassword,
});
export type InvitationAcceptRequest = z.infer<typeof InvitationAcceptRequest>;
