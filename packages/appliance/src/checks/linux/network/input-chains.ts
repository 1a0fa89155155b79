/**
 * Parsing of the firewall collector's input-chain records and the "does it drop by default" rule.
 * A record is `source|family|table|chain|policy|ruleCount|lastRule`, one per base chain on the
 * input hook (nftables) or per INPUT chain (iptables-save / ip6tables-save).
 */
export interface InputChain {
  source: 'nft' | 'iptables' | 'ip6tables';
  family: string;
  table: string;
  chain: string;
  policy: string;
  ruleCount: number;
  lastRule: string;
}

export function parseInputChain(line: string): InputChain | null {
  const parts = line.split('|');
  if (parts.length < 7) return null;
  const [source, family, table, chain, policy, count] = parts as [string, string, string, string, string, string];
  if (source !== 'nft' && source !== 'iptables' && source !== 'ip6tables') return null;
  if (!/^\d+$/.test(count) || !family || !chain || !policy) return null;
  return {
    source,
    family,
    table,
    chain,
    policy: policy.toLowerCase(),
    ruleCount: Number(count),
    lastRule: parts.slice(6).join('|').trim(),
  };
}

/** The last rule with its counters, comments and log statements removed. */
function bareVerdict(rule: string): string {
  return rule
    .replace(/comment "[^"]*"/g, '')
    .replace(/counter( packets \d+ bytes \d+)?/g, '')
    .replace(/log( prefix "[^"]*")?( level \w+)?/g, '')
    .replace(/-m comment --comment ("[^"]*"|\S+)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when the rule matches every packet and drops or rejects it. */
function isCatchAllDeny(chain: InputChain): boolean {
  const bare = bareVerdict(chain.lastRule);
  if (chain.source === 'nft') return bare === 'drop' || bare === 'reject' || bare.startsWith('reject with ');
  return /^-A INPUT -j (DROP|REJECT)( --reject-with \S+)?$/.test(bare);
}

export function deniesByDefault(chain: InputChain): boolean {
  return chain.policy === 'drop' || isCatchAllDeny(chain);
}

/** Which IP versions a chain filters: nft inet covers both, ip/ip6 one each. */
export function coveredVersions(chain: InputChain): Array<'ipv4' | 'ipv6'> {
  if (chain.family === 'inet') return ['ipv4', 'ipv6'];
  if (chain.family === 'ip') return ['ipv4'];
  if (chain.family === 'ip6') return ['ipv6'];
  return []; // bridge, netdev, arp: not the host's IP input path
}
