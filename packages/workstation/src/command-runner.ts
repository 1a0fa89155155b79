import { spawn } from 'node:child_process';

/** What one command printed and how it ended. `isMissing`: the program does not exist on this host. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  isTimedOut: boolean;
  isMissing: boolean;
}

interface RunOptions {
  timeoutMs?: number;
  stdin?: string;
  env?: Record<string, string>;
}

/** Runs a program with arguments (never through a shell unless the caller names one). Never throws. */
export type CommandRunner = (file: string, args: readonly string[], options?: RunOptions) => Promise<CommandOutput>;

const DEFAULT_TIMEOUT_MS = 30_000;
/** Output kept per stream; collectors need far less, runaway output must not exhaust memory. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

export function createCommandRunner(defaults: { timeoutMs?: number } = {}): CommandRunner {
  return (file, args, options = {}) =>
    new Promise((resolve) => {
      const timeoutMs = options.timeoutMs ?? defaults.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const child = spawn(file, [...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C', LANG: 'C', ...options.env },
        windowsHide: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let isTimedOut = false;
      let isMissing = false;
      const timer = setTimeout(() => {
        isTimedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        if (outBytes < MAX_OUTPUT_BYTES) out.push(chunk);
        outBytes += chunk.length;
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (errBytes < MAX_OUTPUT_BYTES) err.push(chunk);
        errBytes += chunk.length;
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') isMissing = true;
      });
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin ?? '');
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          exitCode: code,
          isTimedOut,
          isMissing,
        });
      });
    });
}
