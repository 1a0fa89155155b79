import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Role } from '@osiris/protocol';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ActorContext } from './context';

/** Who may call a route: anyone, a signed-in user with at least this role, or an appliance. */
export type RouteAccess = 'public' | Role | 'appliance';

export interface AuthenticatedSession {
  sessionId: string;
  userId: string;
  email: string;
  role: Role;
  csrfToken: string;
  expiresAt: Date;
}

/** An appliance, authenticated by its bearer token on /v1/appliance/* routes. */
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
  if (!request.auth) throw new Error('route without authentication reached a handler that needs it');
  return request.auth;
}

/** The authenticated appliance of a route whose access is 'appliance'. */
export function requireAppliance(request: FastifyRequest): AuthenticatedAppliance {
  if (!request.appliance) throw new Error('route without appliance authentication reached a handler that needs it');
  return request.appliance;
}
