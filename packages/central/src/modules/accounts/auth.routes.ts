import { ACCESS } from '../../platform/access';
import { LoginRequest, SessionInfo, SessionList, SessionParams } from '@osiris/protocol';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from '../../platform/auth';
import { type App, requireAuth } from '../../platform/http';
import type { AuthService } from './auth.service';

const tags = ['auth'];

export function registerAuthRoutes(app: App, service: AuthService, cookieSecure: 'auto' | 'always' | 'never'): void {
  app.post(
    '/v1/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Sign in; sets the session cookie and returns the CSRF token for mutations',
        body: LoginRequest,
        response: { 200: SessionInfo },
      },
    },
    async (request, reply) => {
      const issued = await service.login(request.actor, request.body, {
        userAgent: request.headers['user-agent'] ?? null,
        previousToken: request.cookies[SESSION_COOKIE],
      });
      setSessionCookie(reply, request, cookieSecure, issued.token, issued.maxAgeSeconds);
      return issued.info;
    },
  );

  app.post(
    '/v1/auth/logout',
    { config: { access: ACCESS.signedIn }, schema: { tags, summary: 'Sign out and end this session' } },
    async (request, reply) => {
      await service.logout(request.actor, requireAuth(request));
      clearSessionCookie(reply);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/auth/me',
    {
      config: { access: ACCESS.signedIn },
      schema: { tags, summary: 'The signed-in user and CSRF token', response: { 200: SessionInfo } },
    },
    (request) => service.me(requireAuth(request)),
  );

  app.get(
    '/v1/auth/sessions',
    {
      config: { access: ACCESS.signedIn },
      schema: { tags, summary: 'Your active sessions', response: { 200: SessionList } },
    },
    (request) => {
      const auth = requireAuth(request);
      return service.listSessions(auth.userId, auth.sessionId);
    },
  );

  app.delete(
    '/v1/auth/sessions/:sessionId',
    {
      config: { access: ACCESS.signedIn },
      schema: { tags, summary: 'End one of your sessions', params: SessionParams },
    },
    async (request, reply) => {
      await service.revokeSession(request.actor, requireAuth(request).userId, request.params.sessionId);
      return reply.code(204).send();
    },
  );
}
