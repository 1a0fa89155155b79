import { z } from 'zod';
import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput, psScript } from '../powershell';

const ID = 'windows.smb.signing-required';

/** The registry values behind Get-SmbServerConfiguration / Get-SmbClientConfiguration RequireSecuritySignature. */
const COLLECTOR = psScript(`
$server = 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters'
$client = 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters'
[ordered]@{
  serverRequireSecuritySignature = Get-RegValue $server 'RequireSecuritySignature'
  serverEnableSecuritySignature = Get-RegValue $server 'EnableSecuritySignature'
  clientRequireSecuritySignature = Get-RegValue $client 'RequireSecuritySignature'
  clientEnableSecuritySignature = Get-RegValue $client 'EnableSecuritySignature'
}
`);

const dword = z.number().int().min(0).max(0xffff_ffff).nullable();
const Output = z.strictObject({
  serverRequireSecuritySignature: dword,
  serverEnableSecuritySignature: dword,
  clientRequireSecuritySignature: dword,
  clientEnableSecuritySignature: dword,
});

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, Output);
  if (!parsed.ok) return parsed.error;
  const observed = { ...parsed.data };
  // An unset RequireSecuritySignature means the default: not required (domain controllers get it by policy).
  const notRequired: string[] = [];
  if (parsed.data.serverRequireSecuritySignature !== 1) notRequired.push('server');
  if (parsed.data.clientRequireSecuritySignature !== 1) notRequired.push('client');
  if (notRequired.length > 0) {
    return { status: 'fail', reason: `SMB signing is not required by the ${notRequired.join(' and ')}.`, observed };
  }
  return { status: 'pass', reason: 'SMB signing is required by both the SMB server and the SMB client.', observed };
}

export const smbSigningRequired: WindowsCheck = { id: ID, collector: COLLECTOR, evaluate };
