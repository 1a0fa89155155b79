import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Role, UserRole } from '@osiris/protocol';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AccessRule, Principal } from './access';
import type { ActorContext } from './context';
import { AppError } from './errors';

/**
 * Who may call a route: anyone, an appliance, platform staff with at least this role, or the
 * principals an access rule lets in (see access.ts).
 */
export type RouteAccess = 'public' | 'appliance' | Role | AccessRule;

export interface AuthenticatedSession {
  sessionId: string;
  userId: string;
  email: string;
  role: UserRole;
  principal: Principal;
  csrfToken: string;
  expiresAt: Date;
}

/** An appliance, authenticated by its bearer token on /v1/appliance/* routes. */
/** A partner API key presented as `Authorization: Bearer osk_…` on person routes (no cookie, no CSRF). */
export interface AuthenticatedApiKey {
  apiKeyId: string;
  name: string;
  principal: Principal;
}

export interface AuthenticatedAppliance {
  applianceId: string;
  siteId: string;
  /** Authenticated with the token from before the last rotation (the new one not used yet). */
  usingPreviousToken?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route; a route without it is refused at start. */
    access?: RouteAccess;
    /** false: not counted by the global per-IP rate limit (health probes). */
    rateLimit?: boolean;
  }
  interface FastifyRequest {
    actor: ActorContext;
    auth: AuthenticatedSession | null;
    apiKey: AuthenticatedApiKey | null;
    appliance: AuthenticatedAppliance | null;
  }
}

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** The authenticated session of a route whose access is not public. */
export function requireAuth(request: FastifyRequest): AuthenticatedSession {
  // An API key passes the route's access rule but has no session (no profile, no sessions to list).
  if (!request.auth) throw new AppError('UNAUTHENTICATED', 'This needs a signed-in session, not an API key');
  return request.auth;
}

/** The authenticated appliance of a route whose access is 'appliance'. */
export function requireAppliance(request: FastifyRequest): AuthenticatedAppliance {
  if (!request.appliance) throw new Error('route without appliance authentication reached a handler that needs it');
  return request.appliance;
}
