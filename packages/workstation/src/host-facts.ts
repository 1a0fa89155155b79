import { readFileSync } from 'node:fs';
import { arch, hostname, networkInterfaces, release, version } from 'node:os';
import { create } from '@bufbuild/protobuf';
import { type HostFacts, HostFactsSchema, OsFamily } from '@osiris/protocol/agent-proto';
import type { AgentOs } from './checks/check';
import { truncateUtf8 } from './result-message';

const FAMILY: Record<AgentOs | 'other', OsFamily> = {
  linux: OsFamily.LINUX,
  windows: OsFamily.WINDOWS,
  macos: OsFamily.MACOS,
  other: OsFamily.UNSPECIFIED,
};

const readText = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

function linuxRelease(): { name: string; version: string } {
  const text = readText('/etc/os-release');
  const field = (key: string) => new RegExp(`^${key}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1] ?? '';
  return { name: field('PRETTY_NAME') || 'Linux', version: field('VERSION_ID') };
}

/** Facts about this host for enrollment and heartbeats, cut to the protocol's bounds. */
export function collectHostFacts(os: AgentOs | 'other'): HostFacts {
  const ips: string[] = [];
  const macs = new Set<string>();
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.internal) continue;
      ips.push(address.address.split('%')[0] ?? address.address);
      if (address.mac !== '00:00:00:00:00:00') macs.add(address.mac);
    }
  }
  const linux = os === 'linux' ? linuxRelease() : undefined;
  return create(HostFactsSchema, {
    hostname: truncateUtf8(hostname(), 253),
    osFamily: FAMILY[os],
    osName: truncateUtf8(linux?.name ?? version(), 128),
    osVersion: truncateUtf8(linux?.version ?? release(), 64),
    kernelVersion: os === 'windows' ? '' : truncateUtf8(release(), 128),
    architecture: truncateUtf8(arch(), 16),
    machineId: os === 'linux' ? truncateUtf8(readText('/etc/machine-id').trim(), 64) : '',
    ipAddresses: ips.slice(0, 32).map((ip) => truncateUtf8(ip, 45)),
    macAddresses: [...macs].slice(0, 32),
  });
}
