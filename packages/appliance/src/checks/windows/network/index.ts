import type { WindowsCheck } from '../../check';
import { lsaProtection } from './lsa-protection';
import { ntlmHardening } from './ntlm-hardening';
import { rdpNlaRequired } from './rdp-nla-required';
import { smbSigningRequired } from './smb-signing-required';
import { smbV1Disabled } from './smb-v1-disabled';

/** Checks of the catalog's Windows network group (protocol src/catalog/windows-network.ts). */
export const WINDOWS_NETWORK_CHECKS: readonly WindowsCheck[] = [
  smbV1Disabled,
  smbSigningRequired,
  rdpNlaRequired,
  ntlmHardening,
  lsaProtection,
];
