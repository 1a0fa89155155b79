import { z } from 'zod';
import { psScript } from '../powershell';

/** One collector for the checks that read HKLM\...\Policies\System (screen lock, UAC). */
export const POLICIES_SYSTEM_COLLECTOR = psScript(`
$key = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System'
[ordered]@{
  inactivityTimeoutSecs = Get-RegValue $key 'InactivityTimeoutSecs'
  enableLUA = Get-RegValue $key 'EnableLUA'
  consentPromptBehaviorAdmin = Get-RegValue $key 'ConsentPromptBehaviorAdmin'
  promptOnSecureDesktop = Get-RegValue $key 'PromptOnSecureDesktop'
}
`);

const dword = z.number().int().min(0).max(0xffff_ffff).nullable();

/** Registry DWORDs; null when the value is not set. */
export const PoliciesSystem = z.strictObject({
  inactivityTimeoutSecs: dword,
  enableLUA: dword,
  consentPromptBehaviorAdmin: dword,
  promptOnSecureDesktop: dword,
});
