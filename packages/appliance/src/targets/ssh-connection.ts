import { createHash } from 'node:crypto';
import { Client, type ConnectConfig } from 'ssh2';
import { type HostKeyPins, TargetError } from './target';
import { UNREACHABLE_CODES } from './run-control';

export type SshAuth = { privateKey: string | Buffer; passphrase?: string } | { password: string };

export interface HostKeyMismatch {
  /** `host:port`, the key the fingerprint is pinned under. */
  endpoint: string;
  pinned: string;
  presented: string;
}

export interface SshEndpoint {
  host: string;
  port: number;
  username: string;
  auth: SshAuth;
  pins: HostKeyPins;
  connectTimeoutMs: number;
  onHostKeyMismatch?: (info: HostKeyMismatch) => void;
}

/** One established SSH connection; `isClosed` flips when the socket goes away, whoever closed it. */
export interface SshConnection {
  readonly client: Client;
  readonly isClosed: boolean;
  /** Drops the connection (a stuck one); the next run opens a new one. */
  destroy(): void;
  /** Ends the connection politely, destroying it if the server has not closed it within a grace period. */
  end(): Promise<void>;
}

/** OpenSSH's fingerprint format: `SHA256:` + unpadded base64 of the SHA-256 of the wire-format key. */
function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

// Keepalives find a connection whose host vanished without a FIN (power loss, network gone), so the
// next run reconnects instead of waiting on a dead socket.
const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 3;
/** How long end() waits for the server to close; a host that vanished never answers. */
const END_GRACE_MS = 2_000;

/**
 * Opens and authenticates one connection, verifying the host key against the pin (trust on first use).
 * Rejects with a TargetError; never puts the password or key in a message.
 */
export function openSshConnection(endpoint: SshEndpoint): Promise<SshConnection> {
  const name = `${endpoint.host}:${endpoint.port}`;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let isClosed = false;
    let hasSocketClosed = false;
    let isSettled = false;
    let mismatch: HostKeyMismatch | null = null;

    const fail = (error: TargetError): void => {
      if (isSettled) return;
      isSettled = true; // later error and close events of this connection no longer settle anything
      client.destroy();
      reject(error);
    };

    client.on('ready', () => {
      if (isSettled) return;
      isSettled = true;
      resolve({
        client,
        get isClosed() {
          return isClosed;
        },
        destroy: () => {
          isClosed = true;
          client.destroy();
        },
        end: () =>
          new Promise<void>((resolve) => {
            isClosed = true;
            if (hasSocketClosed) return resolve();
            const timer = setTimeout(() => client.destroy(), END_GRACE_MS);
            client.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            client.end();
          }),
      });
    });
    // After 'ready' an error is followed by 'close'; channels in flight fail when they close.
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      fail(connectError(endpoint, name, error, mismatch));
    });
    // 'end' (the server's FIN) already makes the socket unwritable; 'close' may come a moment later.
    client.on('end', () => {
      isClosed = true;
    });
    client.on('close', () => {
      isClosed = true;
      hasSocketClosed = true;
      fail(new TargetError('UNREACHABLE', `${name} closed the connection during the SSH handshake`));
    });

    const hostVerifier = (key: Buffer): boolean => {
      const presented = hostKeyFingerprint(key);
      const pinned = endpoint.pins.get(name);
      if (pinned === null) {
        endpoint.pins.pin(name, presented);
        return true;
      }
      if (pinned === presented) return true;
      mismatch = { endpoint: name, pinned, presented };
      endpoint.onHostKeyMismatch?.(mismatch);
      return false;
    };

    const config: ConnectConfig = {
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.username,
      readyTimeout: endpoint.connectTimeoutMs,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      hostVerifier,
      // Only the configured method: ssh2's default order would also try "none" and an agent.
      ...('password' in endpoint.auth
        ? { password: endpoint.auth.password, authHandler: ['password'] }
        : {
            privateKey: endpoint.auth.privateKey,
            passphrase: endpoint.auth.passphrase,
            authHandler: ['publickey'],
          }),
    };
    try {
      client.connect(config);
    } catch (error) {
      // ssh2 throws synchronously for a key it cannot parse (or a wrong passphrase); its message names
      // the problem, never the key material.
      fail(
        new TargetError('FAILED', `cannot use the SSH key for ${name}: ${(error as Error).message}`, { cause: error }),
      );
    }
  });
}

function connectError(
  endpoint: SshEndpoint,
  name: string,
  error: Error & { level?: string; code?: string },
  mismatch: HostKeyMismatch | null,
): TargetError {
  if (mismatch) {
    return new TargetError(
      'HOST_KEY_CHANGED',
      `host key of ${name} changed: pinned ${mismatch.pinned}, presented ${mismatch.presented}; refused to connect`,
      { cause: error },
    );
  }
  if (error.level === 'client-authentication') {
    const method = 'password' in endpoint.auth ? 'password' : 'key';
    return new TargetError('AUTH_FAILED', `${name} refused ${method} authentication for ${endpoint.username}`, {
      cause: error,
    });
  }
  if (error.level === 'client-timeout') {
    return new TargetError('UNREACHABLE', `no SSH handshake with ${name} within ${endpoint.connectTimeoutMs} ms`, {
      cause: error,
    });
  }
  // A socket that fails or closes before the SSH handshake (no route, no ARP answer, nothing
  // speaking SSH) is a host we cannot reach, whatever code the socket layer gave.
  if (
    error.level === 'client-dns' ||
    error.level === 'client-socket' ||
    (error.code !== undefined && UNREACHABLE_CODES.has(error.code))
  ) {
    return new TargetError('UNREACHABLE', `cannot reach ${name}: ${error.code ?? error.message}`, { cause: error });
  }
  return new TargetError('FAILED', `SSH connection to ${name} failed: ${error.message}`, { cause: error });
}
