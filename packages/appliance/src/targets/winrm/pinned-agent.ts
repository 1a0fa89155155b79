import { Agent, type AgentOptions } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import type { HostKeyPins } from '../target';
import { TargetError } from '../target';
import { UNREACHABLE_CODES } from '../run-control';

export interface CertificateMismatch {
  /** `https://host:port`, the key the fingerprint is pinned under. */
  endpoint: string;
  pinned: string;
  presented: string;
}

export interface PinnedAgentOptions {
  host: string;
  port: number;
  pins: HostKeyPins;
  connectTimeoutMs: number;
  onCertificateMismatch?: (info: CertificateMismatch) => void;
}

/** The pin key of a WinRM endpoint (kept apart from SSH's `host:port` keys in the same table). */
const pinKey = (host: string, port: number): string => `https://${host}:${port}`;

/** `SHA256:` and the colon-separated hex SHA-256 of the DER certificate, as `openssl x509 -fingerprint -sha256` shows it. */
function certificateFingerprint(socket: TLSSocket): string | null {
  const certificate = socket.getPeerX509Certificate();
  return certificate ? `SHA256:${certificate.fingerprint256}` : null;
}

/**
 * An HTTPS agent holding at most one connection (NTLM authenticates a connection, so the handshake
 * and the requests after it must share it). The certificate is checked against the pin (trust on
 * first use) before the socket is handed to any request: nothing, not even the NTLM NEGOTIATE
 * message, is sent to a server whose certificate changed. Chain validation is deliberately off:
 * WinRM listeners mostly use self-signed certificates, and the pin is the trust anchor.
 */
export function createPinnedAgent(options: PinnedAgentOptions): Agent {
  const endpoint = pinKey(options.host, options.port);
  const agentOptions: AgentOptions = { keepAlive: true, maxSockets: 1, maxFreeSockets: 1, scheduling: 'lifo' };
  const agent = new Agent(agentOptions);
  const createConnection = (_: unknown, callback: (error: Error | null, socket?: Duplex) => void): undefined => {
    let isSettled = false;
    const settle = (error: Error | null, socket?: TLSSocket): void => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      if (error) tls.destroy();
      callback(error, socket);
    };
    const tls = connect({
      host: options.host,
      port: options.port,
      servername: isIP(options.host) === 0 ? options.host : undefined,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(
      () =>
        settle(
          new TargetError('UNREACHABLE', `no TLS handshake with ${endpoint} within ${options.connectTimeoutMs} ms`),
        ),
      options.connectTimeoutMs,
    );
    tls.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      settle(
        UNREACHABLE_CODES.has(code)
          ? new TargetError('UNREACHABLE', `cannot reach ${endpoint}: ${code}`, { cause: error })
          : new TargetError('FAILED', `TLS connection to ${endpoint} failed: ${error.message}`, { cause: error }),
      );
    });
    tls.once('secureConnect', () => {
      const presented = certificateFingerprint(tls);
      if (presented === null) {
        settle(new TargetError('FAILED', `${endpoint} presented no TLS certificate`));
        return;
      }
      const pinned = options.pins.get(endpoint);
      if (pinned !== null && pinned !== presented) {
        options.onCertificateMismatch?.({ endpoint, pinned, presented });
        settle(
          new TargetError(
            'HOST_KEY_CHANGED',
            `TLS certificate of ${endpoint} changed: pinned ${pinned}, presented ${presented}; refused to connect`,
          ),
        );
        return;
      }
      if (pinned === null) options.pins.pin(endpoint, presented);
      settle(null, tls);
    });
    return undefined;
  };
  // Node's agent accepts an asynchronous createConnection (it waits for the callback when nothing is returned).
  (agent as unknown as { createConnection: typeof createConnection }).createConnection = createConnection;
  return agent;
}
