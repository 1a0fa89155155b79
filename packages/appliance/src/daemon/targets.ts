import { readFileSync } from 'node:fs';
import { type OrderTarget, sha256Hex } from '@osiris/protocol';
import type { ApplianceConfig } from '../config';
import type { Logger } from '../log';
import type { Store } from '../store';
import { createLocalTarget } from '../targets/local';
import { createSshTarget } from '../targets/ssh';
import type { SshAuth } from '../targets/ssh-connection';
import { type Target, TargetError } from '../targets/target';
import { createWinrmTarget } from '../targets/winrm/winrm';

/**
 * A stable host id for a target named in the config file without one: a UUID (version 8, the
 * "custom" layout of RFC 9562) made from the appliance id and the target's name.
 */
export async function deriveHostId(applianceId: string, targetName: string): Promise<string> {
  const hex = await sha256Hex(`osiris-host-id-v1:${applianceId}:${targetName}`);
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** A target that cannot be used as configured: every run says why, so results show it. */
function brokenTarget(
  hostId: string,
  hostname: string,
  code: 'AUTH_FAILED' | 'FAILED',
  reason: string,
  kind: Target['kind'] = 'ssh',
): Target {
  return {
    hostId,
    hostname,
    kind,
    run: async () => {
      throw new TargetError(code, reason);
    },
    close: async () => undefined,
  };
}

function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TargetError('AUTH_FAILED', `cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
}

/**
 * The set of targets the appliance checks: those in the config file plus those central assigned
 * with set_targets (which replace the previous assignment). Rebuilt on change; targets whose
 * definition did not change keep their connection.
 */
export function createTargetSet(deps: {
  config: ApplianceConfig;
  store: Store;
  log: Logger;
  onHostKeyMismatch: (info: { hostname: string; endpoint: string; pinned: string; presented: string }) => void;
}) {
  const { config, store, log } = deps;
  const current = new Map<string, { signature: string; target: Target }>();
  const common = { maxConcurrent: config.checks.maxConcurrentPerTarget };
  const connectTimeoutMs = config.ssh.connectTimeoutSeconds * 1000;

  function sshTarget(
    hostId: string,
    hostname: string,
    spec: { host: string; port: number; user: string; sudo: boolean },
    auth: () => SshAuth,
  ): Target {
    let credentials: SshAuth;
    try {
      credentials = auth();
    } catch (error) {
      const message = (error as Error).message;
      log.error('an SSH target has no usable credentials', { hostname, reason: message });
      return brokenTarget(hostId, hostname, 'AUTH_FAILED', message);
    }
    return createSshTarget({
      ...common,
      hostId,
      hostname,
      host: spec.host,
      port: spec.port,
      username: spec.user,
      auth: credentials,
      pins: store.hostKeyPins,
      connectTimeoutMs,
      useSudo: spec.sudo,
      onHostKeyMismatch: (info) =>
        deps.onHostKeyMismatch({ hostname, endpoint: info.endpoint, pinned: info.pinned, presented: info.presented }),
    });
  }

  function winrmTarget(hostId: string, t: Extract<ApplianceConfig['targets'][number], { kind: 'winrm' }>): Target {
    let password: string;
    try {
      password = readSecretFile(t.passwordFile, 'password file').replace(/\r?\n$/, '');
    } catch (error) {
      const message = (error as Error).message;
      log.error('a WinRM target has no usable credentials', { hostname: t.name, reason: message });
      return brokenTarget(hostId, t.name, 'AUTH_FAILED', message, 'winrm');
    }
    return createWinrmTarget({
      ...common,
      hostId,
      hostname: t.name,
      host: t.host,
      port: t.port,
      username: t.user,
      password,
      pins: store.hostKeyPins,
      connectTimeoutMs: t.connectTimeoutSeconds * 1000,
      onCertificateMismatch: (info) =>
        deps.onHostKeyMismatch({
          hostname: t.name,
          endpoint: info.endpoint,
          pinned: info.pinned,
          presented: info.presented,
        }),
    });
  }

  async function wanted(applianceId: string) {
    const list: { hostId: string; signature: string; build: () => Target }[] = [];
    for (const t of config.targets) {
      const hostId = t.hostId ?? (await deriveHostId(applianceId, t.name));
      if (t.kind === 'local') {
        list.push({
          hostId,
          signature: `local:${t.name}`,
          build: () => createLocalTarget({ ...common, hostId, hostname: t.name }),
        });
        continue;
      }
      if (t.kind === 'winrm') {
        list.push({ hostId, signature: JSON.stringify(['config', t]), build: () => winrmTarget(hostId, t) });
        continue;
      }
      const { keyPath, passwordFile } = t;
      list.push({
        hostId,
        signature: JSON.stringify(['config', t]),
        build: () =>
          sshTarget(hostId, t.name, t, () =>
            keyPath
              ? { privateKey: readSecretFile(keyPath, 'SSH key file') }
              : { password: readSecretFile(passwordFile ?? '', 'password file').replace(/\r?\n$/, '') },
          ),
      });
    }
    for (const t of store.orderTargets.list()) list.push(fromOrder(t));
    return list;
  }

  function fromOrder(t: OrderTarget) {
    if (t.kind === 'local')
      return {
        hostId: t.hostId,
        signature: JSON.stringify(['order', t]),
        build: () => createLocalTarget({ ...common, hostId: t.hostId, hostname: t.hostname }),
      };
    const keyPath = config.ssh.keyPath;
    return {
      hostId: t.hostId,
      signature: JSON.stringify(['order', t, keyPath]),
      build: () =>
        sshTarget(t.hostId, t.hostname, { host: t.address, port: t.port, user: t.username, sudo: false }, () => {
          if (!keyPath)
            throw new TargetError(
              'AUTH_FAILED',
              'no SSH key is configured for targets central assigns (set ssh.keyPath)',
            );
          return { privateKey: readSecretFile(keyPath, 'SSH key file') };
        }),
    };
  }

  return {
    /** Re-reads config and assigned targets; closes targets that went away or changed. */
    async refresh(applianceId: string): Promise<void> {
      const next = await wanted(applianceId);
      const seen = new Set<string>();
      for (const item of next) {
        if (seen.has(item.hostId)) {
          log.warn('two targets share a host id; keeping the first', { hostId: item.hostId });
          continue;
        }
        seen.add(item.hostId);
        const existing = current.get(item.hostId);
        if (existing?.signature === item.signature) continue;
        if (existing) void existing.target.close();
        current.set(item.hostId, { signature: item.signature, target: item.build() });
      }
      for (const [hostId, entry] of current)
        if (!seen.has(hostId)) {
          current.delete(hostId);
          void entry.target.close();
        }
    },
    list(): Target[] {
      return [...current.values()].map((entry) => entry.target);
    },
    async closeAll(): Promise<void> {
      await Promise.allSettled([...current.values()].map((entry) => entry.target.close()));
      current.clear();
    },
  };
}
