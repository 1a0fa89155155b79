import { z } from 'zod';
import { psScript } from '../powershell';

/** One collector for the checks that read HKLM\SYSTEM\CurrentControlSet\Control\Lsa. */
export const LSA_COLLECTOR = psScript(`
$key = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa'
[ordered]@{
  lmCompatibilityLevel = Get-RegValue $key 'LmCompatibilityLevel'
  noLMHash = Get-RegValue $key 'NoLMHash'
  runAsPPL = Get-RegValue $key 'RunAsPPL'
}
`);

const dword = z.number().int().min(0).max(0xffff_ffff).nullable();
export const LsaSettings = z.strictObject({ lmCompatibilityLevel: dword, noLMHash: dword, runAsPPL: dword });
