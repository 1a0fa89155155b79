import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { capList, describeList, errorEvaluation, parseInteger, parseKvOutput, shScript } from './kv-output';

const ID = 'linux.mac.enforcing';

/** Reads the kernel's own view (securityfs, selinuxfs) rather than tools that may not be installed. */
const COLLECTOR = shScript(`
[ -r /sys/kernel/security/lsm ] && echo "lsm=$(cat /sys/kernel/security/lsm)"
if [ -r /sys/module/apparmor/parameters/enabled ]; then
  echo "apparmor_enabled=$(cat /sys/module/apparmor/parameters/enabled)"
else
  echo apparmor_enabled=absent
fi
if [ -r /sys/kernel/security/apparmor/profiles ]; then
  echo apparmor_profiles=readable
  awk '{ m = $NF; gsub(/[()]/, "", m); c[m]++
         if (m == "complain" && ++k <= 20) { n = $0; sub(/ \\([^()]*\\)$/, "", n); print "aa_complain_profile=" n } }
       END { for (m in c) print "aa_mode=" m "|" c[m] }' /sys/kernel/security/apparmor/profiles
else
  echo apparmor_profiles=unreadable
fi
if [ -r /sys/fs/selinux/enforce ]; then
  echo "selinux_enforce=$(cat /sys/fs/selinux/enforce)"
elif command -v getenforce >/dev/null 2>&1; then
  echo "selinux_getenforce=$(getenforce 2>/dev/null)"
else
  echo selinux=absent
fi
`);

function apparmorModes(kv: { all(key: string): string[] }): Record<string, number> | undefined {
  const modes: Record<string, number> = {};
  for (const line of kv.all('aa_mode')) {
    const [mode, countText] = line.split('|');
    const count = parseInteger(countText);
    if (!mode || count === undefined) return undefined;
    modes[mode] = count;
  }
  return modes;
}

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  const apparmor = kv.first('apparmor_enabled');
  const profiles = kv.first('apparmor_profiles');
  const selinuxEnforce = kv.first('selinux_enforce');
  const getenforce = kv.first('selinux_getenforce');
  if (
    apparmor === undefined ||
    profiles === undefined ||
    (selinuxEnforce === undefined && getenforce === undefined && !kv.has('selinux'))
  ) {
    return errorEvaluation('The collector output lacks the AppArmor or SELinux state.');
  }
  const modes = apparmorModes(kv);
  if (!modes) return errorEvaluation('An AppArmor profile count in the collector output is unreadable.');
  const complain = kv.all('aa_complain_profile');
  const selinux =
    selinuxEnforce !== undefined ? (selinuxEnforce === '1' ? 'Enforcing' : 'Permissive') : (getenforce ?? 'absent');
  const observed: Record<string, JsonValue> = {
    lsm: kv.first('lsm') ?? null,
    apparmorEnabled: apparmor,
    apparmorProfileModes: modes,
    complainProfiles: capList(complain),
    selinux,
  };
  if (selinux === 'Enforcing') return { status: 'pass', reason: 'SELinux is in Enforcing mode.', observed };
  if (apparmor === 'Y') {
    if (profiles !== 'readable') {
      return errorEvaluation(
        'AppArmor is enabled but its profile list could not be read (securityfs not mounted?).',
        observed,
      );
    }
    const enforce = modes.enforce ?? 0;
    const complainCount = modes.complain ?? 0;
    if (enforce > 0 && complainCount === 0) {
      return {
        status: 'pass',
        reason: `AppArmor is enabled with ${enforce} profiles in enforce mode and none in complain mode.`,
        observed,
      };
    }
    if (complainCount > 0) {
      return {
        status: 'fail',
        reason: `AppArmor has ${complainCount} profiles in complain mode (${describeList(complain)}).`,
        observed,
      };
    }
    return { status: 'fail', reason: 'AppArmor is enabled but no profile is loaded in enforce mode.', observed };
  }
  const selinuxText = selinux === 'absent' ? 'SELinux is not present' : `SELinux is ${selinux}`;
  return {
    status: 'fail',
    reason: `No mandatory access control is enforcing: AppArmor is ${apparmor === 'absent' ? 'not present' : 'disabled'} and ${selinuxText}.`,
    observed,
  };
}

export const macEnforcingCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
