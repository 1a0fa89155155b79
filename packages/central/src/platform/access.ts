import { type PartnerRole, type PracticeRole, ROLE_RANK, type Role, type UserRole } from '@osiris/protocol';

/**
 * Who a signed-in caller is, as far as access goes (issue 5). Platform staff reach everything;
 * partner people and API keys reach their partner's practices, sites, hosts and appliances;
 * practice people reach their practice; an auditor reads one practice for a limited time.
 */
export type Principal =
  | { kind: 'platform'; role: Role }
  | { kind: 'partner'; role: PartnerLevel; partnerId: string }
  | { kind: 'practice'; role: PracticeRole; practiceId: string; partnerId: string }
  | { kind: 'auditor'; practiceId: string; partnerId: string; accessExpiresAt: Date };

/** Partner people by reach; `partner_readonly` is what a read-only API key acts as. */
type PartnerLevel = PartnerRole | 'partner_readonly';

const PARTNER_RANK: Record<PartnerLevel, number> = { partner_admin: 3, technician: 2, partner_readonly: 1 };
const PRACTICE_RANK: Record<PracticeRole, number> = { practice_owner: 3, practice_admin: 2, practice_viewer: 1 };

/**
 * Who may call a route: for each kind of principal, the lowest role allowed (absent: that kind
 * may not call it at all). A bare platform role means platform staff only.
 */
export interface AccessRule {
  platform?: Role;
  partner?: PartnerLevel;
  practice?: PracticeRole;
  auditor?: true;
}

/** The rules routes use most. */
export const ACCESS = {
  /** Anyone signed in (their own session, profile). */
  signedIn: { platform: 'readonly', partner: 'partner_readonly', practice: 'practice_viewer', auditor: true },
  /** What an auditor may see too: the practice, its sites and appliances (to find their way), results, evidence, reports. */
  tenantRead: { platform: 'readonly', partner: 'partner_readonly', practice: 'practice_viewer', auditor: true },
  /** The tenancy itself (practices, sites, hosts, appliances) read by its people, not auditors. */
  memberRead: { platform: 'readonly', partner: 'partner_readonly', practice: 'practice_viewer' },
  /** What only the platform's and the partner's people read (provision codes, orders). */
  staffRead: { platform: 'readonly', partner: 'partner_readonly' },
  /** Running sites: staff operators and partner technicians. */
  operate: { platform: 'operator', partner: 'technician' },
  /** Structural changes a partner makes to its own tenancy. */
  partnerAdmin: { platform: 'operator', partner: 'partner_admin' },
} as const satisfies Record<string, AccessRule>;

export function isAllowed(rule: AccessRule, principal: Principal): boolean {
  switch (principal.kind) {
    case 'platform':
      return rule.platform !== undefined && ROLE_RANK[principal.role] >= ROLE_RANK[rule.platform];
    case 'partner':
      return rule.partner !== undefined && PARTNER_RANK[principal.role] >= PARTNER_RANK[rule.partner];
    case 'practice':
      return rule.practice !== undefined && PRACTICE_RANK[principal.role] >= PRACTICE_RANK[rule.practice];
    case 'auditor':
      return rule.auditor === true;
  }
}

/** A practice role outranks another (owner > admin > viewer). */
export const practiceRank = (role: PracticeRole): number => PRACTICE_RANK[role];

/** The principal a user row stands for; null when the row is inconsistent (refused like a bad session). */
export function principalOf(user: {
  role: string;
  partner_id: string | null;
  practice_id: string | null;
  practice_partner_id: string | null;
  access_expires_at: Date | null;
}): Principal | null {
  const role = user.role as UserRole;
  switch (role) {
    case 'admin':
    case 'operator':
    case 'readonly':
      return { kind: 'platform', role };
    case 'partner_admin':
    case 'technician':
      return user.partner_id ? { kind: 'partner', role, partnerId: user.partner_id } : null;
    case 'practice_owner':
    case 'practice_admin':
    case 'practice_viewer':
      return user.practice_id && user.practice_partner_id
        ? { kind: 'practice', role, practiceId: user.practice_id, partnerId: user.practice_partner_id }
        : null;
    case 'auditor':
      return user.practice_id && user.practice_partner_id && user.access_expires_at
        ? {
            kind: 'auditor',
            practiceId: user.practice_id,
            partnerId: user.practice_partner_id,
            accessExpiresAt: user.access_expires_at,
          }
        : null;
  }
}

/** How far a principal reaches: everything, one partner's tenancy, or one practice. */
export type Reach = { kind: 'all' } | { kind: 'partner'; partnerId: string } | { kind: 'practice'; practiceId: string };

export function reachOf(principal: Principal): Reach {
  switch (principal.kind) {
    case 'platform':
      return { kind: 'all' };
    case 'partner':
      return { kind: 'partner', partnerId: principal.partnerId };
    case 'practice':
    case 'auditor':
      return { kind: 'practice', practiceId: principal.practiceId };
  }
}

/** Whether an object owned by this practice (of this partner) is within reach. */
export function reaches(reach: Reach, owner: { partnerId: string; practiceId?: string | null }): boolean {
  switch (reach.kind) {
    case 'all':
      return true;
    case 'partner':
      return owner.partnerId === reach.partnerId;
    case 'practice':
      return owner.practiceId === reach.practiceId;
  }
}
