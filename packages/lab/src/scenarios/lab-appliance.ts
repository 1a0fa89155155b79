import type { LabHost } from '../hosts/lab-host';

/** Appliance config targets for lab hosts: SSH as root with the lab run's key, named after the host. */
function labTargets(hosts: readonly LabHost[]) {
  return hosts.map((host) => ({
    name: host.info.name,
    kind: 'ssh' as const,
    host: host.info.ip,
    port: host.info.sshPort,
    user: host.info.user,
    keyPath: host.info.privateKeyPath,
  }));
}

/**
 * An appliance configuration (as the YAML file's object) that checks lab hosts over SSH. Intervals
 * are long so that only explicit cycles run; `extra` overrides top-level keys.
 */
export function labApplianceConfig(params: {
  centralUrl: string;
  dataDir: string;
  provisionCode?: string;
  hosts: readonly LabHost[];
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    centralUrl: params.centralUrl,
    dataDir: params.dataDir,
    hostname: 'lab-appliance',
    ...(params.provisionCode ? { provisionCode: params.provisionCode } : {}),
    logLevel: 'warn',
    checkinIntervalSeconds: 5,
    targets: labTargets(params.hosts),
    checks: { defaultIntervalSeconds: 3600, initialSpreadSeconds: 0, jitter: 0 },
    sync: { coalesceMs: 200 },
    statusPage: { port: 0 },
    ...params.extra,
  };
}
