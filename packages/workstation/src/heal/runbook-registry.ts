import type { Runbook } from './runbook';
import { LINUX_FIREWALL_ENABLE } from './runbooks/linux-firewall-enable.runbook';
import { LINUX_SSHD_HARDEN } from './runbooks/linux-sshd-harden.runbook';
import { MACOS_FIREWALL_ENABLE } from './runbooks/macos-firewall-enable.runbook';
import { MACOS_GATEKEEPER_ENABLE } from './runbooks/macos-gatekeeper-enable.runbook';
import { WINDOWS_BITLOCKER_RESUME } from './runbooks/windows-bitlocker-resume.runbook';
import { WINDOWS_DEFENDER_REALTIME } from './runbooks/windows-defender-realtime.runbook';
import { WINDOWS_FIREWALL_ENABLE } from './runbooks/windows-firewall-enable.runbook';
import { WINDOWS_SCREEN_LOCK_POLICY } from './runbooks/windows-screen-lock-policy.runbook';

/** Every runbook the agent can run, by id. */
export const RUNBOOKS: ReadonlyMap<string, Runbook> = new Map(
  [
    LINUX_FIREWALL_ENABLE,
    LINUX_SSHD_HARDEN,
    WINDOWS_FIREWALL_ENABLE,
    WINDOWS_DEFENDER_REALTIME,
    WINDOWS_SCREEN_LOCK_POLICY,
    WINDOWS_BITLOCKER_RESUME,
    MACOS_FIREWALL_ENABLE,
    MACOS_GATEKEEPER_ENABLE,
  ].map((runbook) => [runbook.id, runbook]),
);
