import {
  IdParams,
  LOGO_MAX_BYTES,
  LogoType,
  PartnerBranding,
  PartnerBrandingUpdateRequest,
  PartnerLogoQuery,
} from '@osiris/protocol';
import { ACCESS, type AccessRule } from '../../platform/access';
import type { App } from '../../platform/http';
import type { BrandingService } from './branding.service';
import { unsupportedLogoType } from './logo';

const tags = ['branding'];

/** Who sees the practice face: the partner's own people, its practices' people and their auditors. */
const BRANDING_READ: AccessRule = ACCESS.tenantRead;

export function registerBrandingRoutes(app: App, service: BrandingService): void {
  app.get(
    '/v1/partners/:id/branding',
    {
      config: { access: BRANDING_READ },
      schema: {
        tags,
        summary: "The partner's brand name, colour and logo",
        params: IdParams,
        response: { 200: PartnerBranding },
      },
    },
    (request) => service.get(request.actor, request.params.id),
  );
  app.put(
    '/v1/partners/:id/branding',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: {
        tags,
        summary: 'Set the brand name and colour (null clears one)',
        params: IdParams,
        body: PartnerBrandingUpdateRequest,
        response: { 200: PartnerBranding },
      },
    },
    (request) => service.update(request.actor, request.params.id, request.body),
  );
  app.delete(
    '/v1/partners/:id/logo',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: { tags, summary: 'Remove the logo', params: IdParams, response: { 200: PartnerBranding } },
    },
    (request) => service.removeLogo(request.actor, request.params.id),
  );
  app.get(
    '/v1/partners/:id/logo',
    {
      config: { access: BRANDING_READ },
      schema: {
        tags,
        summary: 'The logo image (PNG, JPEG or WebP), with its content type',
        params: IdParams,
        querystring: PartnerLogoQuery,
      },
    },
    async (request, reply) => {
      const logo = await service.getLogo(request.actor, request.params.id);
      return reply
        .header('content-type', logo.type)
        .header('cache-control', 'private, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'")
        .send(logo.bytes);
    },
  );

  // The upload takes a raw image body: its own scope, so these parsers (and no JSON one) apply to it alone.
  void app.register(async (scope: App) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      LogoType.options,
      { parseAs: 'buffer', bodyLimit: LOGO_MAX_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.addContentTypeParser('*', (_request, _payload, done) => done(unsupportedLogoType(), undefined));
    scope.put(
      '/v1/partners/:id/logo',
      {
        config: { access: ACCESS.partnerAdmin },
        bodyLimit: LOGO_MAX_BYTES,
        schema: {
          tags,
          summary: `Upload the logo: the raw image as image/png, image/jpeg or image/webp, at most ${LOGO_MAX_BYTES / 1024} KiB`,
          consumes: LogoType.options,
          params: IdParams,
          response: { 200: PartnerBranding },
        },
      },
      (request) =>
        service.setLogo(request.actor, request.params.id, {
          declaredType: request.headers['content-type'],
          body: request.body,
        }),
    );
  });
}
