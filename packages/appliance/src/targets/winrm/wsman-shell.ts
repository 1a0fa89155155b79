import { createOutputBuffer } from '../output-buffer';
import { abortedError, outputTooLargeError, watchRun } from '../run-control';
import { type RunOptions, type RunResult, TargetError } from '../target';
import {
  commandEnvelope,
  createShellEnvelope,
  deleteShellEnvelope,
  type EnvelopeContext,
  MAX_COMMAND_LINE_CHARS,
  powershellCommand,
  receiveEnvelope,
  signalTerminateEnvelope,
} from './wsman-envelopes';
import { isOperationTimeout, parseCommandId, parseReceive, parseShellId, WSMAN_ACCESS_DENIED } from './wsman-response';
import { WsmanFaultError, type WsmanTransport } from './wsman-transport';

export interface ShellLimits {
  /** w:MaxEnvelopeSize sent to the server; responses are capped a little above it. */
  maxEnvelopeBytes: number;
  /** How long one Receive waits on the server for output before answering "nothing yet". */
  receiveTimeoutSeconds: number;
  /** Create, Command, Signal and Delete: how long the server may take. */
  operationTimeoutSeconds: number;
  /** Signal and Delete after the run (also after a timeout): bounded, best effort. */
  cleanupTimeoutMs: number;
}

/** Extra time the HTTP request gets beyond the operation timeout the server was given. */
const HTTP_MARGIN_MS = 10_000;

/**
 * Runs one PowerShell script through a WinRM shell: Create, Command, Receive until the command is
 * Done, then Signal terminate and Delete (also when the run fails, times out or is aborted).
 */
export async function runPowerShell(
  transport: WsmanTransport,
  hostname: string,
  script: string,
  runOptions: RunOptions & { signal: AbortSignal },
  limits: ShellLimits,
): Promise<RunResult> {
  const startedAt = performance.now();
  const { command, args } = powershellCommand(script);
  if (command.length + 1 + args.length > MAX_COMMAND_LINE_CHARS)
    throw new TargetError('FAILED', `the script for ${hostname} is too long for a WinRM command line`);

  const stopper = new AbortController();
  let stopReason: TargetError | null = null;
  const watch = watchRun({ hostname, timeoutMs: runOptions.timeoutMs, signal: runOptions.signal }, (error) => {
    stopReason = error;
    stopper.abort(error);
  });
  const context = (operationTimeoutSeconds: number): EnvelopeContext => ({
    endpointUrl: transport.endpoint,
    maxEnvelopeBytes: limits.maxEnvelopeBytes,
    operationTimeoutSeconds,
  });
  const post = (xml: string, operationSeconds: number): Promise<string> =>
    transport.post(xml, { timeoutMs: operationSeconds * 1000 + HTTP_MARGIN_MS, signal: stopper.signal });

  let shellId: string | null = null;
  let commandId: string | null = null;
  let isDone = false;
  try {
    const op = limits.operationTimeoutSeconds;
    shellId = parseShellId(await post(createShellEnvelope(context(op)), op));
    if (!shellId) throw new TargetError('FAILED', `${transport.endpoint} created a shell but sent no ShellId`);
    commandId = parseCommandId(await post(commandEnvelope(context(op), shellId, command, args), op));
    if (!commandId) throw new TargetError('FAILED', `${transport.endpoint} started a command but sent no CommandId`);
    const output = createOutputBuffer(runOptions.maxOutputBytes);
    let exitCode: number | null = null;
    while (!isDone) {
      const wait = limits.receiveTimeoutSeconds;
      let xml: string;
      try {
        xml = await post(receiveEnvelope(context(wait), shellId, commandId), wait);
      } catch (error) {
        // "Nothing within OperationTimeout" is the normal answer of a Receive while the script runs.
        if (error instanceof WsmanFaultError && isOperationTimeout(error.fault)) continue;
        throw error;
      }
      let chunk: ReturnType<typeof parseReceive>;
      try {
        chunk = parseReceive(xml, commandId);
      } catch (error) {
        throw new TargetError('FAILED', `${transport.endpoint}: ${(error as Error).message}`, { cause: error });
      }
      for (const part of chunk.stdout)
        if (!output.push('stdout', part)) throw outputTooLargeError(hostname, runOptions.maxOutputBytes);
      for (const part of chunk.stderr)
        if (!output.push('stderr', part)) throw outputTooLargeError(hostname, runOptions.maxOutputBytes);
      isDone = chunk.isDone;
      exitCode = chunk.exitCode;
    }
    const text = output.text();
    return {
      stdout: text.stdout,
      stderr: readableStderr(text.stderr),
      exitCode,
      durationMs: Math.round(performance.now() - startedAt),
    };
  } catch (error) {
    if (stopReason) throw stopReason;
    if (runOptions.signal.aborted) throw abortedError(hostname);
    if (error instanceof WsmanFaultError) {
      const code = error.fault.wsmanCode === WSMAN_ACCESS_DENIED ? 'AUTH_FAILED' : 'FAILED';
      throw new TargetError(code, `${hostname}: ${error.message}`, { cause: error });
    }
    throw error;
  } finally {
    watch.dispose();
    if (stopper.signal.aborted) transport.reset(); // a request may still be open on the connection
    await cleanup(transport, { shellId, commandId, isDone, context: context(limits.operationTimeoutSeconds), limits });
  }
}

async function cleanup(
  transport: WsmanTransport,
  state: {
    shellId: string | null;
    commandId: string | null;
    isDone: boolean;
    context: EnvelopeContext;
    limits: ShellLimits;
  },
): Promise<void> {
  if (state.shellId === null) return;
  const post = (xml: string) => transport.post(xml, { timeoutMs: state.limits.cleanupTimeoutMs });
  try {
    // Terminate stops a command still running (after a timeout); after Done it releases the command.
    if (state.commandId !== null)
      await post(signalTerminateEnvelope(state.context, state.shellId, state.commandId)).catch(() => undefined);
    await post(deleteShellEnvelope(state.context, state.shellId));
  } catch {
    // Best effort: WinRM deletes idle shells itself after IdleTimeout (default 2 hours).
  }
}

/**
 * PowerShell started with -EncodedCommand and redirected output writes its error stream as CLIXML
 * (`#< CLIXML` then <Objs>). People and the phase runner want the text: the <S S="Error"> strings,
 * with the `_xHHHH_` escapes decoded. Anything else is returned unchanged.
 */
export function readableStderr(stderr: string): string {
  const start = stderr.indexOf('#< CLIXML');
  if (start === -1) return stderr;
  const lines = [...stderr.slice(start).matchAll(/<S S="Error">([\s\S]*?)<\/S>/g)].map((match) =>
    (match[1] ?? '')
      .replace(/_x([0-9A-Fa-f]{4})_/g, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)))
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&'),
  );
  return (stderr.slice(0, start) + lines.join('')).replace(/\r\n/g, '\n');
}
