import type { Evaluation, LinuxCheck } from '../../check';
import { capList, END_MARKER, parseCollectorOutput, SH_PRELUDE, section } from '../ssh/collector-output';
import { coveredVersions, deniesByDefault, type InputChain, parseInputChain } from './input-chains';

/**
 * linux.firewall.default-deny-input. nftables and legacy iptables hooks both see every packet and a
 * drop in either is final, so IPv4 (and IPv6 unless disabled) counts as default-deny when any input
 * chain covering it has a drop policy or ends in a catch-all drop/reject. ufw and firewalld are
 * front ends whose rules appear in those listings; ufw's own status is reported for the reader.
 * No nft and no iptables at all means nothing can have loaded a ruleset: fail, not error.
 */
const SUBJECT = 'the host firewall';

const NFT_AWK = `/^table /{fam=$2; tbl=$3; next}
/^[ \\t]*chain /{inchain=1; chain=$2; hook=0; policy="accept"; n=0; last=""; next}
inchain && /hook input/ {hook=1; if (match($0, /policy [a-z]+/)) policy=substr($0, RSTART+7, RLENGTH-7); next}
inchain && /^[ \\t]*type / {next}
inchain && /^[ \\t]*}/ {if (hook) printf "nft|%s|%s|%s|%s|%d|%s\\n", fam, tbl, chain, policy, n, substr(last, 1, 200); inchain=0; next}
inchain && NF>0 {n++; last=$0; sub(/^[ \\t]+/, "", last)}`;

const COLLECTOR = `${SH_PRELUDE}if [ -e /proc/sys/net/ipv6/conf/all/disable_ipv6 ] && [ "$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" = 0 ]; then echo "ipv6=enabled"; else echo "ipv6=disabled"; fi
T=$(mktemp 2>/dev/null || echo /tmp/osiris-fw.$$)
: > "$T"
if command -v nft >/dev/null 2>&1; then
  echo "nft=present"
  nft list ruleset > "$T.nft" 2>/dev/null; echo "nft_exit=$?"
  awk '${NFT_AWK}' "$T.nft" >> "$T"
else echo "nft=absent"; fi
for t in iptables ip6tables; do
  if command -v $t-save >/dev/null 2>&1; then
    echo "$t=present"
    $t-save -t filter > "$T.$t" 2>/dev/null; echo "\${t}_exit=$?"
    fam=ip; [ $t = ip6tables ] && fam=ip6
    awk -v src=$t -v fam=$fam '/^:INPUT /{pol=$2} /^-A INPUT /{n++; last=$0} END{if (pol!="") printf "%s|%s|filter|INPUT|%s|%d|%s\\n", src, fam, pol, n, substr(last, 1, 200)}' "$T.$t" >> "$T"
  else echo "$t=absent"; fi
done
if command -v ufw >/dev/null 2>&1; then
  echo "ufw_status=$(ufw status verbose 2>/dev/null | sed -n 's/^Status: //p' | head -n 1)"
  echo "ufw_default=$(ufw status verbose 2>/dev/null | sed -n 's/^Default: //p' | head -n 1)"
else echo "ufw_status=absent"; fi
echo "input_chains=$(wc -l < "$T" | tr -d ' ')"
echo "### input chains"
head -n 50 "$T"
rm -f "$T" "$T.nft" "$T.iptables" "$T.ip6tables"
echo "${END_MARKER}"
`;

function describe(chain: InputChain): string {
  return `${chain.source} ${chain.family} ${chain.table} ${chain.chain}: policy ${chain.policy}, ${chain.ruleCount} rules`;
}

function judge(output: unknown): Evaluation {
  const parsed = parseCollectorOutput(output, SUBJECT);
  if (!parsed.ok) return parsed.evaluation;
  const f = parsed.value.fields;
  const ipv6 = f.get('ipv6');
  const tools = ['nft', 'iptables', 'ip6tables'].map((t) => ({
    tool: t,
    presence: f.get(t),
    exit: f.get(`${t}_exit`),
  }));
  if (
    (ipv6 !== 'enabled' && ipv6 !== 'disabled') ||
    tools.some((t) => t.presence !== 'present' && t.presence !== 'absent')
  ) {
    return {
      status: 'error',
      reason: `Cannot judge ${SUBJECT}: the collector did not report the IPv6 state and every firewall tool.`,
      observed: {},
    };
  }
  const chains: InputChain[] = [];
  for (const line of section(parsed.value, 'input chains')) {
    const chain = parseInputChain(line);
    if (!chain)
      return {
        status: 'error',
        reason: `Cannot judge ${SUBJECT}: unexpected input-chain record "${line.slice(0, 80)}".`,
        observed: {},
      };
    chains.push(chain);
  }
  const present = tools.filter((t) => t.presence === 'present');
  const readable = present.filter((t) => t.exit === '0');
  const observed = {
    tools: present.map((t) => `${t.tool} (exit ${t.exit ?? '?'})`),
    ufw: f.get('ufw_status') === 'absent' ? null : `${f.get('ufw_status') ?? ''}; ${f.get('ufw_default') ?? ''}`,
    ipv6,
    inputChains: capList(
      chains.map((c) => `${describe(c)}; last: ${c.lastRule.slice(0, 80)}`),
      20,
    ),
  };
  if (present.length === 0) {
    return {
      status: 'fail',
      reason: 'Neither nft nor iptables is installed, so no host firewall filters inbound traffic.',
      observed,
    };
  }
  if (readable.length === 0) {
    return {
      status: 'error',
      reason: `Cannot judge ${SUBJECT}: no firewall tool could list its rules (${observed.tools.join(', ')}).`,
      observed,
    };
  }
  const denied = new Set(chains.filter(deniesByDefault).flatMap(coveredVersions));
  const open = (ipv6 === 'enabled' ? (['ipv4', 'ipv6'] as const) : (['ipv4'] as const)).filter((v) => !denied.has(v));
  if (open.length === 0) {
    return {
      status: 'pass',
      reason: `Inbound ${ipv6 === 'enabled' ? 'IPv4 and IPv6' : 'IPv4'} traffic is dropped unless a rule allows it.`,
      observed,
    };
  }
  return {
    status: 'fail',
    reason:
      chains.length === 0
        ? 'No firewall input chain is loaded, so every listening service is reachable.'
        : `Inbound ${open.join(' and ')} traffic is accepted by default: no input chain has a drop policy or ends in a catch-all drop.`,
    observed,
  };
}

export const defaultDenyInput: LinuxCheck = {
  id: 'linux.firewall.default-deny-input',
  collector: COLLECTOR,
  evaluate: judge,
};
