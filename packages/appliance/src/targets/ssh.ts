import type { ClientChannel } from 'ssh2';
import { createLimiter } from './limiter';
import { createOutputBuffer } from './output-buffer';
import { abortedError, createRunRegistry, outputTooLargeError, runFailure, watchRun } from './run-control';
import { type HostKeyMismatch, openSshConnection, type SshAuth, type SshConnection } from './ssh-connection';
import { type HostKeyPins, type RunOptions, type RunResult, type Target, TargetError } from './target';

export interface SshTargetOptions {
  hostId: string;
  hostname: string;
  host: string;
  port?: number;
  username: string;
  auth: SshAuth;
  pins: HostKeyPins;
  /**
   * Channels open at once on the one connection. sshd's MaxSessions (default 10) caps channels per
   * connection and a channel beyond it fails to open, so stay at 8 or below unless the host allows more.
   */
  maxConcurrent?: number;
  /** TCP connect plus SSH handshake and authentication. */
  connectTimeoutMs: number;
  /** Run the script as root through `sudo -n` (passwordless sudo for this user on the host). */
  useSudo?: boolean;
  /** Called when the host presents a key other than the pinned one, so the daemon can report it. */
  onHostKeyMismatch?: (info: HostKeyMismatch) => void;
}

const DEFAULT_PORT = 22;
const DEFAULT_MAX_CONCURRENT = 4;

/**
 * The remote side of a run. sshd leaves a command running when its channel closes, and ssh2 cannot send
 * a channel signal once stdin is at EOF, so instead of `/bin/sh -s` with the script then EOF, a wrapper
 * reads the script by length and keeps stdin open: a watcher waits for EOF on it, which comes only
 * when the channel closes (timeout, abort, dropped connection, or the normal end), and then kills the
 * session's process group (sshd made the session its own group). Nothing of a run outlives its channel.
 * As with `sh -s`, the script's stdin is the rest of the script.
 */
function remoteCommand(scriptBytes: number, useSudo: boolean): string {
  const wrapper = [
    'LC_ALL=C; export LC_ALL',
    'exec 3<&0',
    `s=$(head -c ${scriptBytes} <&3)`,
    '(cat <&3 >/dev/null; kill -KILL 0) >/dev/null 2>&1 &',
    // Piped rather than passed with -c: one argument is capped at 128 KiB (MAX_ARG_STRLEN) on Linux.
    'printf "%s\\n" "$s" 3<&- | /bin/sh -s 3<&- &',
    'wait $!',
  ].join('\n');
  // The wrapper holds no single quote, so it goes through the login shell in one quoted word.
  return `${useSudo ? 'sudo -n ' : ''}/bin/sh -c '${wrapper}'`;
}

export function createSshTarget(options: SshTargetOptions): Target {
  const { hostname } = options;
  const port = options.port ?? DEFAULT_PORT;
  const endpointName = `${options.host}:${port}`;
  const limiter = createLimiter(options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
  const registry = createRunRegistry(hostname);
  let open: SshConnection | null = null;
  let opening: Promise<SshConnection> | null = null;

  /** The open connection, or a new one when there is none or it dropped; concurrent callers share it. */
  const connection = (): Promise<SshConnection> => {
    if (open && !open.isClosed) return Promise.resolve(open);
    if (opening === null) {
      open = null;
      // A failed attempt is forgotten (opening back to null) so the next run tries again.
      opening = openSshConnection({ ...options, port })
        .then((established) => {
          open = established;
          return established;
        })
        .finally(() => {
          opening = null;
        });
    }
    return opening;
  };

  const runOnce = async (text: string, runOptions: RunOptions, signal: AbortSignal): Promise<RunResult> => {
    const script = Buffer.from(text, 'utf8');
    const command = remoteCommand(script.length, options.useSudo ?? false);
    const outcome = await execScript(await untilAborted(connection(), signal, hostname), command, script, {
      hostname,
      endpointName,
      runOptions,
      signal,
    });
    if (outcome !== 'CONNECTION_LOST') return outcome;
    // The connection died before the script was sent (the host restarted): nothing ran, so one retry
    // on a fresh connection is safe.
    const retried = await execScript(await untilAborted(connection(), signal, hostname), command, script, {
      hostname,
      endpointName,
      runOptions,
      signal,
    });
    if (retried !== 'CONNECTION_LOST') return retried;
    throw new TargetError('FAILED', `the connection to ${endpointName} closed before the script could start`);
  };

  return {
    hostId: options.hostId,
    hostname,
    kind: 'ssh',
    run: (script, runOptions) =>
      registry.track(async () => {
        const signal = registry.signalFor(runOptions.signal);
        try {
          return await limiter.run(() => runOnce(script, runOptions, signal), signal);
        } catch (error) {
          throw runFailure(hostname, error, signal);
        }
      }),
    close: async () => {
      await registry.close();
      await opening?.catch(() => undefined);
      const closing = open;
      open = null;
      await closing?.end();
    },
  };
}

/** Stops waiting (for a connection) when the run is aborted; the connection attempt itself goes on. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, hostname: string): Promise<T> {
  if (signal.aborted) return Promise.reject(abortedError(hostname));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(hostname));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

interface ExecContext {
  hostname: string;
  endpointName: string;
  runOptions: RunOptions;
  signal: AbortSignal;
}

/**
 * Runs the script on one exec channel. Resolves 'CONNECTION_LOST' (instead of failing) only when the
 * channel could not be opened because the connection had gone away, i.e. the script was never sent.
 */
function execScript(
  connection: SshConnection,
  command: string,
  script: Buffer,
  context: ExecContext,
): Promise<RunResult | 'CONNECTION_LOST'> {
  const { hostname, endpointName, runOptions } = context;
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const output = createOutputBuffer(runOptions.maxOutputBytes);
    let channel: ClientChannel | null = null;
    let isSettled = false;
    let exitCode: number | null = null;
    let hasExitStatus = false;

    const settle = (outcome: () => void): void => {
      if (isSettled) return;
      isSettled = true;
      watch.dispose();
      outcome();
    };

    const stop = (error: TargetError): void => {
      if (isSettled) return;
      if (channel) {
        // Closing the channel makes the remote watcher kill the script (see remoteCommand) and frees
        // the session slot; the connection stays usable for the next run.
        channel.close();
      } else if (error.code === 'TIMEOUT') {
        // The server never answered the channel open: the connection is stuck, so drop it.
        connection.destroy();
      }
      settle(() => reject(error));
    };
    const watch = watchRun({ hostname, timeoutMs: runOptions.timeoutMs, signal: context.signal }, stop);

    const onChannel = (error: Error | undefined, stream: ClientChannel | undefined): void => {
      if (isSettled) {
        stream?.close();
        return;
      }
      if (error || !stream) {
        const message = `cannot open a channel to ${endpointName}: ${error?.message}`;
        settle(() =>
          connection.isClosed
            ? resolve('CONNECTION_LOST')
            : reject(new TargetError('FAILED', message, { cause: error })),
        );
        return;
      }
      channel = stream;
      const collect = (name: 'stdout' | 'stderr') => (chunk: Buffer) => {
        if (!output.push(name, chunk)) stop(outputTooLargeError(hostname, runOptions.maxOutputBytes));
      };
      stream.on('data', collect('stdout'));
      stream.stderr.on('data', collect('stderr'));
      stream.on('exit', (code: number | null) => {
        hasExitStatus = true;
        exitCode = typeof code === 'number' ? code : null;
      });
      stream.on('close', () => {
        // Without an exit status and with the connection gone, the output may be cut short.
        const isCutShort = !hasExitStatus && connection.isClosed;
        const message = `the connection to ${endpointName} closed during the run`;
        settle(() =>
          isCutShort
            ? reject(new TargetError('FAILED', message))
            : resolve({ ...output.text(), exitCode, durationMs: Math.round(performance.now() - startedAt) }),
        );
      });
      // No EOF: the open stdin is what keeps the remote watcher waiting (see remoteCommand).
      stream.write(script);
    };
    try {
      connection.client.exec(command, onChannel);
    } catch {
      // ssh2 throws ('Not connected') only when the socket is no longer writable: the connection is gone.
      connection.destroy();
      settle(() => resolve('CONNECTION_LOST'));
    }
  });
}
