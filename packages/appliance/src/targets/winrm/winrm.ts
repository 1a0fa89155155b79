import { createLimiter } from '../limiter';
import { createRunRegistry, runFailure } from '../run-control';
import type { HostKeyPins, Target } from '../target';
import type { CertificateMismatch } from './pinned-agent';
import { runPowerShell, type ShellLimits } from './wsman-shell';
import { createWsmanTransport, type WsmanTransport } from './wsman-transport';

export interface WinrmTargetOptions {
  hostId: string;
  hostname: string;
  host: string;
  /** WinRM over HTTPS: 5986 by default. Plain HTTP (5985) is not offered. */
  port?: number;
  /** `DOMAIN\user`, `user@domain.example` or a local account; authenticated with NTLMv2. */
  username: string;
  password: string;
  /** Where the server certificate's SHA-256 fingerprint is pinned on first use. */
  pins: HostKeyPins;
  /** Runs at once; each has its own connection (an NTLM context is per connection). */
  maxConcurrent?: number;
  /** TCP connect plus TLS handshake. */
  connectTimeoutMs: number;
  limits?: Partial<ShellLimits>;
  onCertificateMismatch?: (info: CertificateMismatch) => void;
}

const DEFAULT_PORT = 5986;
const DEFAULT_MAX_CONCURRENT = 2;
/** pywinrm's defaults, within the WinRM service's own MaxEnvelopeSizekb (500 KiB since Windows 2012). */
const DEFAULT_LIMITS: ShellLimits = {
  maxEnvelopeBytes: 153_600,
  receiveTimeoutSeconds: 20,
  operationTimeoutSeconds: 30,
  cleanupTimeoutMs: 10_000,
};
/** Responses may exceed MaxEnvelopeSize by HTTP framing slack only. */
const RESPONSE_SLACK_BYTES = 16 * 1024;

/**
 * A Windows host without the agent (a domain controller, a file server), reached over WinRM: the
 * scripts it runs are PowerShell (the Windows checks' collectors and the Windows runbooks' phases),
 * started as `powershell -NoProfile -NonInteractive -EncodedCommand …` in a fresh remote shell.
 */
export function createWinrmTarget(options: WinrmTargetOptions): Target {
  const { hostname } = options;
  const port = options.port ?? DEFAULT_PORT;
  const limits: ShellLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  const limiter = createLimiter(maxConcurrent);
  const registry = createRunRegistry(hostname);
  const idle: WsmanTransport[] = [];
  const all: WsmanTransport[] = [];

  const transport = (): WsmanTransport => {
    const free = idle.pop();
    if (free) return free;
    const created = createWsmanTransport({
      host: options.host,
      port,
      username: options.username,
      password: options.password,
      pins: options.pins,
      connectTimeoutMs: options.connectTimeoutMs,
      maxResponseBytes: limits.maxEnvelopeBytes + RESPONSE_SLACK_BYTES,
      onCertificateMismatch: options.onCertificateMismatch,
    });
    all.push(created);
    return created;
  };

  return {
    hostId: options.hostId,
    hostname,
    kind: 'winrm',
    run: (script, runOptions) =>
      registry.track(async () => {
        const signal = registry.signalFor(runOptions.signal);
        try {
          return await limiter.run(async () => {
            // The limiter hands out at most maxConcurrent slots, so at most that many transports exist.
            const connection = transport();
            try {
              return await runPowerShell(connection, hostname, script, { ...runOptions, signal }, limits);
            } finally {
              if (registry.isClosing) connection.close();
              else idle.push(connection);
            }
          }, signal);
        } catch (error) {
          throw runFailure(hostname, error, signal);
        }
      }),
    close: async () => {
      await registry.close();
      for (const connection of all) connection.close();
      idle.length = 0;
    },
  };
}
