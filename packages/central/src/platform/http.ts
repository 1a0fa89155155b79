import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Role } from '@osiris/protocol';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ActorContext } from './context';

/** Who may call a route: anyone, or a signed-in user with at least this role. */
export type RouteAccess = 'public' | Role;

export interface AuthenticatedSession {
  sessionId: string;
  userId: string;
  email: string;
  role: Role;
  csrfToken: string;
  expiresAt: Date;
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
