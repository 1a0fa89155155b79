/**
 * How the appliance reaches a host (ARCHITECTURE.md §4, targets/): one interface, `run(script)`.
 * A target runs a collector script with a POSIX shell on the host and returns what it printed.
 * Implementations: local (this machine, child process), ssh (ssh2, host key pinned on first use) and
 * winrm (Windows hosts without the agent: PowerShell over WS-Management/HTTPS, certificate pinned).
 */

/** What a script printed and how it ended. A non-zero exit is a result, not an error. */
export interface RunResult {
  stdout: string;
  stderr: string;
  /** null when the process was killed (timeout) or the channel closed without an exit status. */
  exitCode: number | null;
  durationMs: number;
}

export interface RunOptions {
  /** Kill the script after this long; the run then fails with TargetError code TIMEOUT. */
  timeoutMs: number;
  /** More stdout+stderr than this fails the run with TargetError code OUTPUT_TOO_LARGE. */
  maxOutputBytes: number;
  signal?: AbortSignal;
}

export type TargetErrorCode =
  /** Cannot connect (refused, no route, DNS, connect timeout). */
  | 'UNREACHABLE'
  /**
   * The SSH host key (or, for WinRM, the TLS certificate) differs from the one pinned on first use:
   * refused, nothing sent.
   */
  | 'HOST_KEY_CHANGED'
  /** The host refused our credentials. */
  | 'AUTH_FAILED'
  | 'TIMEOUT'
  | 'OUTPUT_TOO_LARGE'
  /** The run was aborted through its signal (shutdown). */
  | 'ABORTED'
  /** Anything else going wrong on the way (channel error, spawn failure). */
  | 'FAILED';

/** Why a script could not be run to completion. `message` is for people and never holds secrets. */
export class TargetError extends Error {
  constructor(
    readonly code: TargetErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TargetError';
  }
}

export interface Target {
  /** Central's host id (or one derived from the appliance id and target name). */
  readonly hostId: string;
  /** The name reported in evidence. */
  readonly hostname: string;
  readonly kind: 'local' | 'ssh' | 'winrm';
  /**
   * Runs `script` with /bin/sh on the host (script text on stdin); a `winrm` target runs it with
   * PowerShell (Windows checks and runbooks). Throws TargetError.
   */
  run(script: string, options: RunOptions): Promise<RunResult>;
  /** Releases connections; runs in flight are aborted. Idempotent. */
  close(): Promise<void>;
}

/**
 * Where SSH host keys are pinned (trust on first use). `key` identifies the endpoint
 * (`host:port`); the fingerprint is `SHA256:` + base64 of the SHA-256 of the raw host key.
 */
export interface HostKeyPins {
  get(key: string): string | null;
  pin(key: string, fingerprint: string): void;
}
