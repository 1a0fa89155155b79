import { join } from 'node:path';

/** Every namespace, link, process marker and state dir the lab creates starts with this prefix. */
export const HOST_PREFIX = 'osl-';
export const HOST_NAME_PATTERN = /^osl-\d{3}$/;
export const DEFAULT_STATE_ROOT = '/tmp/osiris-lab';
/** Root-namespace side of every veth pair; each host gets 10.231.0.<index>/24. */
export const GATEWAY_IP = '10.231.0.1';
export const FIRST_HOST_INDEX = 2;
export const LAST_HOST_INDEX = 254;
export const SSH_PORT = 22;
export const SSH_USER = 'root';
/** Directories overlaid inside each host, so its configuration is its own. */
export const OVERLAID_DIRS = ['etc', 'var', 'home', 'root'] as const;
/** The holder's init loop; with the host name as $0 it marks lab processes in `ps` and /proc. */
export const HOLDER_SCRIPT = 'while :; do sleep 60; done # osiris-lab holder';

export function hostName(index: number): string {
  return `${HOST_PREFIX}${String(index).padStart(3, '0')}`;
}

export function hostIp(index: number): string {
  return `10.231.0.${index}`;
}

export function hostPaths(stateRoot: string, name: string) {
  const dir = join(stateRoot, name);
  return {
    dir,
    /** Bind-mounted into the host at /run/.osl-state: overlay upper, work and snapshot dirs. */
    fs: join(dir, 'fs'),
    record: join(dir, 'host.json'),
    clientKey: join(dir, 'client', 'id_ed25519'),
    clientPublicKey: join(dir, 'client', 'id_ed25519.pub'),
  };
}

/** veth pair: `<name>-r` stays in the root namespace, `<name>-p` moves into the host as eth0. */
export function vethNames(name: string) {
  return { root: `${name}-r`, peer: `${name}-p` };
}
