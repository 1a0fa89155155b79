import type { RunbookDefinition, RunbookScript } from './runbook';

type DistroFamily = 'debian' | 'rhel' | 'suse';

/** Prints /etc/os-release's ID and ID_LIKE, which decide the script variant. */
export const DISTRO_PROBE = `if [ -r /etc/os-release ]; then . /etc/os-release; fi
echo "id=\${ID:-}"
echo "like=\${ID_LIKE:-}"
`;

const FAMILIES: Record<DistroFamily, readonly string[]> = {
  debian: ['debian', 'ubuntu', 'raspbian', 'linuxmint'],
  rhel: ['rhel', 'fedora', 'centos', 'rocky', 'almalinux', 'ol', 'amzn'],
  suse: ['suse', 'sles', 'opensuse', 'opensuse-leap', 'opensuse-tumbleweed'],
};

/** The family named by the probe's output, or null (the `default` variant then applies). */
export function parseDistroFamily(stdout: string): DistroFamily | null {
  const value = (key: string) => stdout.match(new RegExp(`^${key}=(.*)$`, 'm'))?.[1]?.replace(/"/g, '') ?? '';
  const words = `${value('id')} ${value('like')}`.toLowerCase().split(/\s+/).filter(Boolean);
  for (const [family, ids] of Object.entries(FAMILIES) as [DistroFamily, readonly string[]][]) {
    if (words.some((word) => ids.includes(word))) return family;
  }
  return null;
}

export function hasVariants(runbook: RunbookDefinition): boolean {
  const scripts = [runbook.detect, runbook.remediate, runbook.verify, runbook.rollback, runbook.captureState];
  return scripts.some((script) => script !== undefined && typeof script !== 'string');
}

export function selectScript(script: RunbookScript, family: DistroFamily | null): string {
  if (typeof script === 'string') return script;
  return (family ? script[family] : undefined) ?? script.default;
}

/** `maxAuthTries` → `P_MAX_AUTH_TRIES`. */
function paramEnvName(name: string): string {
  return `P_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

function paramText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(paramText).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The lines put in front of every script: each parameter as an exported `P_<NAME>` variable and
 * RB_STATE_DIR (where remediation keeps backups for rollback). Values are quoted so that no
 * parameter can inject shell or PowerShell code.
 */
export function scriptPrelude(
  platform: RunbookDefinition['platform'],
  params: Record<string, unknown>,
  stateDir: string,
): string {
  const vars: [string, string][] = [
    ...Object.entries(params).map(([name, value]): [string, string] => [paramEnvName(name), paramText(value)]),
    ['RB_STATE_DIR', stateDir],
  ];
  if (platform === 'windows') {
    return vars.map(([name, value]) => `$env:${name} = '${value.replace(/'/g, "''")}'\n`).join('');
  }
  return vars.map(([name, value]) => `${name}='${value.replace(/'/g, `'\\''`)}'\nexport ${name}\n`).join('');
}
