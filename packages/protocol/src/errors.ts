import { z } from 'zod';

/** Stable error codes. Listed once here; the HTTP status is part of the contract. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  TOTP_REQUIRED: 401,
  ACCOUNT_LOCKED: 401,
  /** A magic link or invitation that is unknown, forged, or opened in another browser. */
  LINK_INVALID: 401,
  LINK_EXPIRED: 401,
  LINK_USED: 401,
  /** An OpenID Connect sign-in that failed: `details.reason` says which check (state, nonce, code, token). */
  OIDC_FAILED: 401,
  /** The identity provider does not vouch for the email address. */
  EMAIL_UNVERIFIED: 403,
  /** Consumer mail domains are refused for partner sign-up, or the domain is not allowed. */
  EMAIL_DOMAIN_REFUSED: 403,
  /** The partner has signed up and waits for a platform admin's approval (or was rejected). */
  PARTNER_NOT_APPROVED: 403,
  API_KEY_REVOKED: 401,
  API_KEY_EXPIRED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  /** No approved (active) partner has this slug; unknown and unapproved look alike. */
  PARTNER_NOT_FOUND: 404,
  CONFLICT: 409,
  /** A practice asked to move to the partner it already belongs to. */
  TRANSFER_SAME_PARTNER: 409,
  EVIDENCE_BROKEN_LINK: 409,
  EVIDENCE_GAP: 409,
  PAYLOAD_TOO_LARGE: 413,
  EVIDENCE_BAD_HASH: 422,
  EVIDENCE_BAD_SIGNATURE: 422,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  DATABASE_UNAVAILABLE: 503,
  NOT_READY: 503,
  /** An outside service central depends on (an identity provider) failed. */
  UPSTREAM_FAILED: 502,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ErrorCode = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

export const ValidationIssue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  code: z.string().optional(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

export const ErrorResponse = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string(),
  }),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;
