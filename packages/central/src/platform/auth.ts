import { timingSafeEqual } from 'node:crypto';
import { type AccessRule, isAllowed, type Principal } from './access';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActorContext } from './context';
import { AppError } from './errors';
import type { App, AuthenticatedApiKey, AuthenticatedAppliance, AuthenticatedSession, RouteAccess } from './http';

export const SESSION_COOKIE = 'osiris_session';
const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

export interface AuthDeps {
  resolveSession(token: string): Promise<AuthenticatedSession | null>;
  resolveAppliance(token: string): Promise<AuthenticatedAppliance | null>;
  /** A partner API key (`osk_…`); refused keys (revoked, expired) throw their AppError. */
  resolveApiKey(token: string): Promise<AuthenticatedApiKey | null>;
  recordDenied(actor: ActorContext, action: string, details: Record<string, unknown>): Promise<void>;
  cookieSecure: 'auto' | 'always' | 'never';
}

function isLoopbackRequest(request: FastifyRequest): boolean {
  return LOOPBACK_HOST.test(request.hostname.replace(/:\d+$/, ''));
}

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  mode: AuthDeps['cookieSecure'],
  token: string,
  maxAgeSeconds: number,
): void {
  const secure = mode === 'always' || (mode === 'auto' && !isLoopbackRequest(request));
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    secure,
    sameSite: 'strict',
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

/**
 * A random value that ties a sign-in in progress (emailed link, OIDC redirect) to the browser that
 * started it. Lax where the browser returns by a top-level redirect from another site (OIDC).
 */
export function setBindingCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  mode: AuthDeps['cookieSecure'],
  cookie: { name: string; value: string; path: string; maxAgeSeconds: number; sameSite: 'strict' | 'lax' },
): void {
  const secure = mode === 'always' || (mode === 'auto' && !isLoopbackRequest(request));
  void reply.setCookie(cookie.name, cookie.value, {
    httpOnly: true,
    secure,
    sameSite: cookie.sameSite,
    path: cookie.path,
    maxAge: cookie.maxAgeSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
}

function actorFor(
  request: FastifyRequest,
  auth: AuthenticatedSession | null,
  apiKey: AuthenticatedApiKey | null,
): ActorContext {
  const common = { ip: request.ip, requestId: String(request.id) };
  if (apiKey)
    return {
      ...common,
      actorType: 'api_key',
      actorId: apiKey.apiKeyId,
      actorLabel: `api-key:${apiKey.name}`,
      role: null,
      principal: apiKey.principal,
    };
  return {
    ...common,
    actorType: auth ? 'user' : 'anonymous',
    actorId: auth?.userId ?? null,
    actorLabel: auth?.email ?? null,
    role: auth?.role ?? null,
    principal: auth?.principal ?? null,
  };
}

/** A bare platform role is the rule "platform staff with at least this role". */
const ruleOf = (access: Exclude<RouteAccess, 'public' | 'appliance'>): AccessRule =>
  typeof access === 'string' ? { platform: access } : access;

function describeRule(rule: AccessRule): string {
  const parts = [
    rule.platform && `platform ${rule.platform}`,
    rule.partner && `partner ${rule.partner}`,
    rule.practice && `practice ${rule.practice}`,
    rule.auditor && 'auditor',
  ].filter(Boolean);
  return parts.join(', ');
}

const principalLabel = (p: Principal): string => (p.kind === 'auditor' ? 'auditor' : `${p.kind} ${p.role}`);

function tokensEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Every route declares who may call it. Sessions come from the HttpOnly cookie; a mutation
 * made with a cookie must echo the session's CSRF token in a header. Denials are audited.
 */
export interface RouteEntry {
  method: string;
  url: string;
  access: RouteAccess;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,200})$/;
/** Partner API keys: `osk_<prefix>_<secret>`. */
const API_KEY_BEARER = /^Bearer (osk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{32,100})$/;

/** Appliance routes: a bearer token, never a cookie (so no CSRF); a bad token is a security event. */
async function authenticateAppliance(request: FastifyRequest, deps: AuthDeps): Promise<void> {
  const match = BEARER.exec(request.headers.authorization ?? '');
  request.appliance = match?.[1] ? await deps.resolveAppliance(match[1]) : null;
  request.actor = {
    actorType: request.appliance ? 'appliance' : 'anonymous',
    actorId: request.appliance?.applianceId ?? null,
    actorLabel: request.appliance ? `appliance:${request.appliance.applianceId}` : null,
    role: null,
    principal: null,
    ip: request.ip,
    requestId: String(request.id),
  };
  if (!request.appliance) {
    await deps.recordDenied(request.actor, 'security.appliance_auth_failed', {
      route: request.routeOptions.url,
      tokenPresented: Boolean(match),
    });
    throw new AppError('UNAUTHENTICATED', 'Present a valid appliance token (Authorization: Bearer …)');
  }
}

/** Returns the table of every route and who may call it, filled as routes register. */
export function registerAuth(app: App, deps: AuthDeps): RouteEntry[] {
  const table: RouteEntry[] = [];
  app.decorateRequest('auth', null);
  app.decorateRequest('apiKey', null);
  app.decorateRequest('appliance', null);
  app.decorateRequest('actor', null as unknown as ActorContext);

  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: RouteAccess } | undefined)?.access;
    if (route.url.startsWith('/v1/docs')) return;
    if (!access) throw new Error(`Route ${route.method} ${route.url} does not declare config.access`);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') table.push({ method, url: route.url, access });
    }
  });

  app.addHook('onRequest', async (request) => {
    const access: RouteAccess = request.routeOptions.config.access ?? 'public';
    if (access === 'appliance') return authenticateAppliance(request, deps);
    const apiKeyToken = API_KEY_BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (apiKeyToken && access !== 'public') {
      request.apiKey = await deps.resolveApiKey(apiKeyToken).catch(async (error: unknown) => {
        request.actor = actorFor(request, null, null);
        await deps.recordDenied(request.actor, 'security.api_key_refused', {
          route: request.routeOptions.url,
          code: (error as AppError).code ?? 'UNKNOWN',
        });
        throw error;
      });
      if (!request.apiKey) {
        request.actor = actorFor(request, null, null);
        await deps.recordDenied(request.actor, 'security.api_key_refused', {
          route: request.routeOptions.url,
          code: 'UNKNOWN_KEY',
        });
        throw new AppError('UNAUTHENTICATED', 'Unknown API key');
      }
    } else {
      const token = request.cookies[SESSION_COOKIE];
      request.auth = token ? await deps.resolveSession(token) : null;
    }
    request.actor = actorFor(request, request.auth, request.apiKey);
    if (access === 'public') return;
    const principal = request.actor.principal;
    if (!principal) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
    // Only cookie sessions need the CSRF echo; an API key in a header cannot be sent by another site.
    if (request.auth && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !tokensEqual(sent, request.auth.csrfToken)) {
        await deps.recordDenied(request.actor, 'security.csrf_failed', {
          method: request.method,
          route: request.routeOptions.url,
        });
        throw new AppError('CSRF_FAILED', `Missing or wrong ${CSRF_HEADER} header`);
      }
    }
    const rule = ruleOf(access);
    if (!isAllowed(rule, principal)) {
      await deps.recordDenied(request.actor, 'security.access_denied', {
        method: request.method,
        route: request.routeOptions.url,
        required: describeRule(rule),
        principal: principalLabel(principal),
      });
      throw new AppError('FORBIDDEN', `This needs one of: ${describeRule(rule)}`);
    }
  });
  return table;
}
