import { z } from 'zod';
import { Email, Id, PageQuery, Timestamp, page, text } from './common';

const atLeastOneField = (value: Record<string, unknown>) => Object.values(value).some((v) => v !== undefined);
const atLeastOneMessage = { message: 'at least one field is required' };

export const Slug = z
  .string()
  .trim()
  .min(2)
  .max(63)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lowercase letters, digits and inner hyphens only');

// ---- partners (MSPs) ----
export const PartnerStatus = z.enum(['pending', 'active', 'suspended', 'rejected']);
export const Partner = z.object({
  id: Id,
  name: z.string(),
  slug: z.string(),
  contactEmail: z.string().nullable(),
  status: PartnerStatus,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Partner = z.infer<typeof Partner>;
export const PartnerCreateRequest = z.strictObject({
  name: text(200),
  slug: Slug,
  contactEmail: Email.optional(),
  status: PartnerStatus.default('active'),
});
export type PartnerCreateRequest = z.infer<typeof PartnerCreateRequest>;
export const PartnerUpdateRequest = z
  .strictObject({
    name: text(200).optional(),
    contactEmail: Email.nullable().optional(),
    status: PartnerStatus.optional(),
  })
  .refine(atLeastOneField, atLeastOneMessage);
export type PartnerUpdateRequest = z.infer<typeof PartnerUpdateRequest>;
export const PartnerListQuery = PageQuery.extend({ status: PartnerStatus.optional() });
export type PartnerListQuery = z.infer<typeof PartnerListQuery>;
export const PartnerPage = page(Partner);

// ---- practices (clients of a partner) ----
export const PracticeStatus = z.enum(['active', 'inactive']);
export const Practice = z.object({
  id: Id,
  partnerId: Id,
  name: z.string(),
  contactEmail: z.string().nullable(),
  status: PracticeStatus,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Practice = z.infer<typeof Practice>;
export const PracticeCreateRequest = z.strictObject({
  partnerId: Id,
  name: text(200),
  contactEmail: Email.optional(),
  status: PracticeStatus.default('active'),
});
export type PracticeCreateRequest = z.infer<typeof PracticeCreateRequest>;
export const PracticeUpdateRequest = z
  .strictObject({
    name: text(200).optional(),
    contactEmail: Email.nullable().optional(),
    status: PracticeStatus.optional(),
  })
  .refine(atLeastOneField, atLeastOneMessage);
export type PracticeUpdateRequest = z.infer<typeof PracticeUpdateRequest>;
export const PracticeListQuery = PageQuery.extend({ partnerId: Id.optional(), status: PracticeStatus.optional() });
export type PracticeListQuery = z.infer<typeof PracticeListQuery>;
export const PracticePage = page(Practice);

// ---- sites (one clinic location; one appliance per site) ----
export const SiteStatus = z.enum(['active', 'inactive']);
export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'unknown IANA time zone');
export const Site = z.object({
  id: Id,
  practiceId: Id,
  partnerId: Id,
  name: z.string(),
  address: z.string().nullable(),
  timezone: z.string(),
  status: SiteStatus,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Site = z.infer<typeof Site>;
export const SiteCreateRequest = z.strictObject({
  practiceId: Id,
  name: text(200),
  address: text(500).optional(),
  timezone: TimeZone.default('UTC'),
  status: SiteStatus.default('active'),
});
export type SiteCreateRequest = z.infer<typeof SiteCreateRequest>;
export const SiteUpdateRequest = z
  .strictObject({
    name: text(200).optional(),
    address: text(500).nullable().optional(),
    timezone: TimeZone.optional(),
    status: SiteStatus.optional(),
  })
  .refine(atLeastOneField, atLeastOneMessage);
export type SiteUpdateRequest = z.infer<typeof SiteUpdateRequest>;
export const SiteListQuery = PageQuery.extend({
  practiceId: Id.optional(),
  partnerId: Id.optional(),
  status: SiteStatus.optional(),
});
export type SiteListQuery = z.infer<typeof SiteListQuery>;
export const SitePage = page(Site);

// ---- hosts (servers and workstations at a site) ----
export const HostPlatform = z.enum(['linux', 'windows', 'macos', 'network', 'other']);
export const HostRole = z.enum(['server', 'workstation', 'domain_controller', 'network_device', 'other']);
export const HostStatus = z.enum(['active', 'retired']);
export const Hostname = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(253)
  .regex(
    /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/,
    'not a valid host name',
  );
export const HostAddress = z.union([z.ipv4(), z.ipv6(), Hostname]);
export const Host = z.object({
  id: Id,
  siteId: Id,
  practiceId: Id,
  partnerId: Id,
  hostname: z.string(),
  address: z.string().nullable(),
  platform: HostPlatform,
  role: HostRole,
  status: HostStatus,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Host = z.infer<typeof Host>;
export const HostCreateRequest = z.strictObject({
  siteId: Id,
  hostname: Hostname,
  address: HostAddress.optional(),
  platform: HostPlatform,
  role: HostRole.default('server'),
  status: HostStatus.default('active'),
});
export type HostCreateRequest = z.infer<typeof HostCreateRequest>;
export const HostUpdateRequest = z
  .strictObject({
    hostname: Hostname.optional(),
    address: HostAddress.nullable().optional(),
    platform: HostPlatform.optional(),
    role: HostRole.optional(),
    status: HostStatus.optional(),
  })
  .refine(atLeastOneField, atLeastOneMessage);
export type HostUpdateRequest = z.infer<typeof HostUpdateRequest>;
export const HostListQuery = PageQuery.extend({
  siteId: Id.optional(),
  practiceId: Id.optional(),
  partnerId: Id.optional(),
  platform: HostPlatform.optional(),
  role: HostRole.optional(),
  status: HostStatus.optional(),
});
export type HostListQuery = z.infer<typeof HostListQuery>;
export const HostPage = page(Host);
