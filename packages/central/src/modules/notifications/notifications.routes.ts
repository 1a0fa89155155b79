import {
  IdParams,
  NotificationChannel,
  NotificationChannelCreateRequest,
  NotificationChannelPage,
  NotificationChannelUpdateRequest,
  NotificationDelivery,
  NotificationDeliveryListQuery,
  NotificationDeliveryPage,
  NotificationListQuery,
  NotificationRule,
  NotificationRuleCreateRequest,
  NotificationRulePage,
  NotificationRuleUpdateRequest,
} from '@osiris/protocol';
import type { AccessRule } from '../../platform/access';
import type { App } from '../../platform/http';
import type { ChannelsService } from './channels.service';
import type { NotificationsService } from './notifications.service';

const tags = ['notifications'];
/** Platform staff and a partner's technicians read; platform admins and partner admins change. */
const READ = { platform: 'readonly', partner: 'technician' } as const satisfies AccessRule;
const MANAGE = { platform: 'admin', partner: 'partner_admin' } as const satisfies AccessRule;

export function registerNotificationsRoutes(app: App, channels: ChannelsService, notifications: NotificationsService) {
  app.get(
    '/v1/notification-channels',
    {
      config: { access: READ },
      schema: {
        tags,
        summary: 'Notification channels of the platform, or of a partner (never their secrets)',
        querystring: NotificationListQuery,
        response: { 200: NotificationChannelPage },
      },
    },
    (request) => channels.listChannels(request.actor, request.query),
  );
  app.post(
    '/v1/notification-channels',
    {
      config: { access: MANAGE },
      schema: {
        tags,
        summary: 'Create a channel (email, webhook, Slack, Teams, SMS); secrets are stored encrypted',
        body: NotificationChannelCreateRequest,
        response: { 201: NotificationChannel },
      },
    },
    async (request, reply) => reply.code(201).send(await channels.createChannel(request.actor, request.body)),
  );
  app.get(
    '/v1/notification-channels/:id',
    {
      config: { access: READ },
      schema: { tags, summary: 'One notification channel', params: IdParams, response: { 200: NotificationChannel } },
    },
    (request) => channels.getChannel(request.actor, request.params.id),
  );
  app.patch(
    '/v1/notification-channels/:id',
    {
      config: { access: MANAGE },
      schema: {
        tags,
        summary: 'Rename, enable or disable a channel, or replace its settings',
        params: IdParams,
        body: NotificationChannelUpdateRequest,
        response: { 200: NotificationChannel },
      },
    },
    (request) => channels.updateChannel(request.actor, request.params.id, request.body),
  );
  app.delete(
    '/v1/notification-channels/:id',
    {
      config: { access: MANAGE },
      schema: { tags, summary: 'Delete a channel (and its deliveries)', params: IdParams },
    },
    async (request, reply) => {
      await channels.removeChannel(request.actor, request.params.id);
      return reply.code(204).send();
    },
  );
  app.post(
    '/v1/notification-channels/:id/test',
    {
      config: { access: MANAGE },
      schema: {
        tags,
        summary: 'Send a test message now, once, and answer the delivery outcome',
        params: IdParams,
        response: { 200: NotificationDelivery },
      },
    },
    (request) => notifications.sendTest(request.actor, request.params.id),
  );

  app.get(
    '/v1/notification-rules',
    {
      config: { access: READ },
      schema: {
        tags,
        summary: 'Routing rules: which event types, from which priority, go to which channels',
        querystring: NotificationListQuery,
        response: { 200: NotificationRulePage },
      },
    },
    (request) => channels.listRules(request.actor, request.query),
  );
  app.post(
    '/v1/notification-rules',
    {
      config: { access: MANAGE },
      schema: {
        tags,
        summary: "Create a routing rule over the tenant's own channels",
        body: NotificationRuleCreateRequest,
        response: { 201: NotificationRule },
      },
    },
    async (request, reply) => reply.code(201).send(await channels.createRule(request.actor, request.body)),
  );
  app.get(
    '/v1/notification-rules/:id',
    {
      config: { access: READ },
      schema: { tags, summary: 'One routing rule', params: IdParams, response: { 200: NotificationRule } },
    },
    (request) => channels.getRule(request.actor, request.params.id),
  );
  app.patch(
    '/v1/notification-rules/:id',
    {
      config: { access: MANAGE },
      schema: {
        tags,
        summary: 'Change a routing rule',
        params: IdParams,
        body: NotificationRuleUpdateRequest,
        response: { 200: NotificationRule },
      },
    },
    (request) => channels.updateRule(request.actor, request.params.id, request.body),
  );
  app.delete(
    '/v1/notification-rules/:id',
    { config: { access: MANAGE }, schema: { tags, summary: 'Delete a routing rule', params: IdParams } },
    async (request, reply) => {
      await channels.removeRule(request.actor, request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/notification-deliveries',
    {
      config: { access: READ },
      schema: {
        tags,
        summary: 'Recent deliveries, newest first, with status, attempts and the last error',
        querystring: NotificationDeliveryListQuery,
        response: { 200: NotificationDeliveryPage },
      },
    },
    (request) => notifications.listDeliveries(request.actor, request.query),
  );
}
