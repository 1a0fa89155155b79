import { z } from 'zod';
import { psScript } from '../powershell';

/**
 * One collector for both firewall checks. The active store is what the host enforces (local
 * settings merged with Group Policy); enum values are cast to [string] (True/False, Block/Allow).
 */
export const FIREWALL_COLLECTOR = psScript(`
$profiles = @(Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object {
  [ordered]@{
    name = [string]$_.Name
    enabled = [string]$_.Enabled
    defaultInboundAction = [string]$_.DefaultInboundAction
    defaultOutboundAction = [string]$_.DefaultOutboundAction
  }
})
[ordered]@{ profiles = $profiles }
`);

const Profile = z.strictObject({
  name: z.string().min(1).max(20),
  enabled: z.enum(['True', 'False', 'NotConfigured']),
  defaultInboundAction: z.enum(['NotConfigured', 'Allow', 'Block']),
  defaultOutboundAction: z.enum(['NotConfigured', 'Allow', 'Block']),
});
type FirewallProfile = z.infer<typeof Profile>;

export const FirewallProfiles = z.strictObject({ profiles: z.array(Profile).max(10) });

const REQUIRED_PROFILES = ['Domain', 'Private', 'Public'] as const;

/** The required profiles missing from the output, in the documented order. */
export const missingProfiles = (profiles: readonly FirewallProfile[]): string[] =>
  REQUIRED_PROFILES.filter((name) => !profiles.some((p) => p.name === name));
