import { PasswordChangeRequest, TotpDisableRequest, TotpEnableRequest, TotpSetupResponse } from '@osiris/protocol';
import { type App, requireAuth } from '../../platform/http';
import type { CredentialsService } from './credentials.service';

const tags = ['auth'];

export function registerCredentialsRoutes(app: App, credentials: CredentialsService): void {
  app.post(
    '/v1/auth/password',
    {
      config: { access: 'readonly' },
      schema: { tags, summary: 'Change your password; ends your other sessions', body: PasswordChangeRequest },
    },
    async (request, reply) => {
      await credentials.changePassword(request.actor, requireAuth(request), request.body);
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/auth/totp/setup',
    {
      config: { access: 'readonly' },
      schema: { tags, summary: 'Start two-factor setup: a new secret to scan', response: { 200: TotpSetupResponse } },
    },
    (request) => credentials.totpSetup(request.actor, requireAuth(request)),
  );

  app.post(
    '/v1/auth/totp/enable',
    {
      config: { access: 'readonly' },
      schema: { tags, summary: 'Turn two-factor on by proving a current code', body: TotpEnableRequest },
    },
    async (request, reply) => {
      await credentials.totpEnable(request.actor, requireAuth(request), request.body.code);
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/auth/totp/disable',
    {
      config: { access: 'readonly' },
      schema: { tags, summary: 'Turn two-factor off (password and a code)', body: TotpDisableRequest },
    },
    async (request, reply) => {
      await credentials.totpDisable(request.actor, requireAuth(request), request.body);
      return reply.code(204).send();
    },
  );
}
