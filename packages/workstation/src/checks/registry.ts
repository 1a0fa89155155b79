import type { CheckCapability } from './check';
import { linuxDiskEncryption } from './linux/disk-encryption.linux';
import { linuxFirewall } from './linux/firewall.linux';
import { linuxScreenLock } from './linux/screen-lock.linux';
import { linuxSshServer } from './linux/ssh-server.linux';
import { linuxUpdates } from './linux/updates.linux';
import { macosFileVault } from './macos/filevault.macos';
import { macosFirewall } from './macos/firewall.macos';
import { macosGatekeeper } from './macos/gatekeeper.macos';
import { macosScreenLock } from './macos/screen-lock.macos';
import { macosSip } from './macos/sip.macos';
import { macosUpdates } from './macos/updates.macos';
import { windowsBitLocker } from './windows/bitlocker.windows';
import { windowsDefender } from './windows/defender.windows';
import { windowsFirewall } from './windows/firewall.windows';
import { windowsRmmTools } from './windows/rmm-tools.windows';
import { windowsScreenLock } from './windows/screen-lock.windows';
import { windowsUpdates } from './windows/updates.windows';

/**
 * Every capability the agent checks, with its implementation per OS. HIPAA citations are the ids
 * of `HIPAA_CONTROLS` in @osiris/protocol (the same citations the appliance's catalog uses for
 * the matching `windows.*` / `linux.*` checks); a missing OS entry reports UNSUPPORTED.
 */
export const CHECK_CAPABILITIES: readonly CheckCapability[] = [
  {
    id: 'disk_encryption',
    title: 'Disk encryption (BitLocker, FileVault, LUKS)',
    hipaa: ['164.312(a)(2)(iv)'],
    platforms: { windows: windowsBitLocker, macos: macosFileVault, linux: linuxDiskEncryption },
  },
  {
    id: 'firewall',
    title: 'Host firewall',
    hipaa: ['164.312(a)(1)', '164.312(e)(1)'],
    platforms: { windows: windowsFirewall, macos: macosFirewall, linux: linuxFirewall },
  },
  {
    id: 'screen_lock',
    title: 'Screen lock after inactivity',
    hipaa: ['164.312(a)(2)(iii)'],
    platforms: { windows: windowsScreenLock, macos: macosScreenLock, linux: linuxScreenLock },
  },
  {
    id: 'os_updates',
    title: 'Operating system updates',
    hipaa: ['164.308(a)(5)(ii)(B)'],
    platforms: { windows: windowsUpdates, macos: macosUpdates, linux: linuxUpdates },
  },
  {
    id: 'antivirus',
    title: 'Malware protection (Defender, Gatekeeper)',
    hipaa: ['164.308(a)(5)(ii)(B)'],
    platforms: { windows: windowsDefender, macos: macosGatekeeper },
  },
  {
    id: 'ssh_server',
    title: 'SSH server configuration',
    hipaa: ['164.312(d)', '164.312(a)(1)'],
    platforms: { linux: linuxSshServer },
  },
  {
    id: 'system_integrity',
    title: 'System integrity protection',
    hipaa: ['164.312(c)(1)'],
    platforms: { macos: macosSip },
  },
  {
    id: 'rmm_tools',
    title: 'Remote management tools present',
    hipaa: ['164.312(a)(1)'],
    platforms: { windows: windowsRmmTools },
  },
];

const byId = new Map(CHECK_CAPABILITIES.map((capability) => [capability.id, capability]));

export const capabilityById = (id: string): CheckCapability | undefined => byId.get(id);
