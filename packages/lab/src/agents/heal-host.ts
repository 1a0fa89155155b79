import { DRIFTS_GROUP_A } from '../drifts/group-a';
import type { LabHost } from '../hosts/lab-host';

/**
 * What the agent heal lab does to a lab host and how it reads the host back. The scripts are the
 * lab's drift recipes for the appliance's own checks that test the same settings as the agent's
 * `firewall` and `ssh_server` checks; the readers ask the host's own nftables and sshd, never the
 * agent or the appliance.
 */
const recipe = (checkId: string, kind: 'harden' | 'drift'): string => {
  const script = DRIFTS_GROUP_A.find((d) => d.checkId === checkId)?.[kind];
  if (!script) throw new Error(`no ${kind} recipe for ${checkId}`);
  return script;
};

/** Agent check id → the drift recipes (catalog ids) whose scripts put it into a passing or failing state. */
const RECIPES = {
  // linux.workstation.firewall passes on an nftables input chain with policy drop.
  firewall: { harden: ['linux.firewall.default-deny-input'], attack: ['linux.firewall.default-deny-input'] },
  // linux.workstation.ssh-server: PermitRootLogin no, PasswordAuthentication no, PermitEmptyPasswords
  // no, MaxAuthTries <= 3, X11Forwarding no (a fresh host has the last three; root login
  // prohibit-password and the default of 6 tries fail).
  ssh_server: {
    harden: ['linux.ssh.permit-root-login', 'linux.ssh.max-auth-tries'],
    attack: ['linux.ssh.permit-root-login', 'linux.ssh.password-authentication', 'linux.ssh.max-auth-tries'],
  },
} as const;

export type HealedCheck = keyof typeof RECIPES;
export const HEALED_CHECKS = Object.keys(RECIPES) as HealedCheck[];

async function runAll(host: LabHost, scripts: readonly string[], what: string): Promise<void> {
  for (const script of scripts) {
    const result = await host.exec(script, { timeoutMs: 30_000 });
    if (result.exitCode !== 0)
      throw new Error(`${what} on ${host.info.name} failed (${result.exitCode}): ${result.stderr.slice(-500)}`);
  }
}

/** Puts the host into the state both checks pass: a default-deny nftables input, a hardened sshd. */
export async function hardenHost(host: LabHost): Promise<void> {
  for (const check of HEALED_CHECKS)
    await runAll(
      host,
      RECIPES[check].harden.map((id) => recipe(id, 'harden')),
      `hardening ${check}`,
    );
}

/** The attack: the firewall opened up (accept-all ruleset) and sshd made insecure (root and password logins, 6 tries). */
export async function attackHost(host: LabHost): Promise<void> {
  for (const check of HEALED_CHECKS)
    await runAll(
      host,
      RECIPES[check].attack.map((id) => recipe(id, 'drift')),
      `attacking ${check}`,
    );
}

interface InputChain {
  family: string;
  table: string;
  name: string;
  policy: string;
}

export interface HostSecurityState {
  /** Every nftables chain on the input hook, from `nft -j list ruleset` inside the host. */
  inputChains: InputChain[];
  /** Some input chain drops by default. */
  isFirewallClosed: boolean;
  /** Effective sshd settings (`sshd -T`) the agent's check judges. */
  sshd: Record<
    'permitrootlogin' | 'passwordauthentication' | 'permitemptypasswords' | 'maxauthtries' | 'x11forwarding',
    string
  >;
  isSshdHardened: boolean;
  /** The runbook's drop-in, or null when it does not exist. */
  sshdDropIn: string | null;
}

const SSHD_DROP_IN = '/etc/ssh/sshd_config.d/00-osiris-hardening.conf';

/** Reads the host's real firewall and sshd configuration. */
export async function readHostSecurity(host: LabHost): Promise<HostSecurityState> {
  const nft = await host.exec('nft -j list ruleset');
  if (nft.exitCode !== 0) throw new Error(`nft on ${host.info.name}: ${nft.stderr}`);
  const items = (JSON.parse(nft.stdout) as { nftables: { chain?: Record<string, unknown> }[] }).nftables;
  const inputChains = items.flatMap(({ chain }) =>
    chain?.hook === 'input'
      ? [
          {
            family: String(chain.family),
            table: String(chain.table),
            name: String(chain.name),
            policy: String(chain.policy ?? 'accept'),
          },
        ]
      : [],
  );
  const sshdT = await host.exec('mkdir -p /run/sshd && sshd -T');
  if (sshdT.exitCode !== 0) throw new Error(`sshd -T on ${host.info.name}: ${sshdT.stderr}`);
  const settings = new Map(
    sshdT.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .map(([key, ...value]) => [key?.toLowerCase() ?? '', value.join(' ').toLowerCase()]),
  );
  const get = (key: string) => settings.get(key) ?? '(unset)';
  const sshd = {
    permitrootlogin: get('permitrootlogin'),
    passwordauthentication: get('passwordauthentication'),
    permitemptypasswords: get('permitemptypasswords'),
    maxauthtries: get('maxauthtries'),
    x11forwarding: get('x11forwarding'),
  };
  const dropIn = await host.exec(`cat ${SSHD_DROP_IN}`);
  return {
    inputChains,
    isFirewallClosed: inputChains.some((chain) => chain.policy === 'drop'),
    sshd,
    isSshdHardened:
      sshd.permitrootlogin === 'no' &&
      sshd.passwordauthentication === 'no' &&
      sshd.permitemptypasswords === 'no' &&
      Number(sshd.maxauthtries) <= 3 &&
      sshd.x11forwarding === 'no',
    sshdDropIn: dropIn.exitCode === 0 ? dropIn.stdout : null,
  };
}
