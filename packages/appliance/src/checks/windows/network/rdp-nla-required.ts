import { z } from 'zod';
import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput, psScript } from '../powershell';

const ID = 'windows.rdp.nla-required';

/** Group Policy values (Policies\...\Terminal Services) override the RDP-Tcp listener's own values. */
const COLLECTOR = psScript(`
$listener = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp'
$policy = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services'
[ordered]@{
  denyConnections = Get-RegValue 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server' 'fDenyTSConnections'
  listener = [ordered]@{
    userAuthentication = Get-RegValue $listener 'UserAuthentication'
    securityLayer = Get-RegValue $listener 'SecurityLayer'
    minEncryptionLevel = Get-RegValue $listener 'MinEncryptionLevel'
  }
  policy = [ordered]@{
    userAuthentication = Get-RegValue $policy 'UserAuthentication'
    securityLayer = Get-RegValue $policy 'SecurityLayer'
    minEncryptionLevel = Get-RegValue $policy 'MinEncryptionLevel'
  }
}
`);

const dword = z.number().int().min(0).max(0xffff_ffff).nullable();
const Settings = z.strictObject({ userAuthentication: dword, securityLayer: dword, minEncryptionLevel: dword });
const Output = z.strictObject({ denyConnections: dword, listener: Settings, policy: Settings });

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, Output);
  if (!parsed.ok) return parsed.error;
  const { denyConnections, listener, policy } = parsed.data;
  const effective = {
    userAuthentication: policy.userAuthentication ?? listener.userAuthentication,
    securityLayer: policy.securityLayer ?? listener.securityLayer,
    minEncryptionLevel: policy.minEncryptionLevel ?? listener.minEncryptionLevel,
  };
  const observed = { denyConnections, ...effective };
  if (denyConnections === 1)
    return { status: 'pass', reason: 'Remote Desktop connections are turned off on this host.', observed };
  const found: string[] = [];
  if (effective.userAuthentication !== 1) found.push('Network Level Authentication is not required');
  if (effective.securityLayer !== 2)
    found.push(`the security layer is ${effective.securityLayer ?? 'unset'} (needs 2, TLS)`);
  if ((effective.minEncryptionLevel ?? 0) < 3)
    found.push(`the encryption level is ${effective.minEncryptionLevel ?? 'unset'} (needs 3, High)`);
  if (found.length > 0)
    return { status: 'fail', reason: `Remote Desktop is weakly protected: ${found.join('; ')}.`, observed };
  return {
    status: 'pass',
    reason: 'Remote Desktop requires Network Level Authentication over TLS with high encryption.',
    observed,
  };
}

export const rdpNlaRequired: WindowsCheck = { id: ID, collector: COLLECTOR, evaluate };
