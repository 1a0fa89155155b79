import type { z } from 'zod';
import { type CollectorOutput, type Evaluation, errorEvaluation, type JsonValue } from '../check';

/** Collector output larger than this is not a single status object: refuse to parse it. */
const MAX_STDOUT_CHARS = 256 * 1024;

/** PowerShell helpers every Windows script may use (defined before the body runs). */
const PS_HELPERS = `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
function Get-RegValue([string]$Path, [string]$Name) {
  $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
  if ($null -eq $item) { return $null }
  return $item.$Name
}
function Out-Json($Value) {
  ConvertTo-Json -InputObject $Value -Compress -Depth 4
}`;

/**
 * Wraps a script body so the whole script prints exactly one compressed JSON object: the value
 * the body produces, or `{"collectorError": "..."}` with exit code 1 when anything throws.
 */
export function psScript(body: string): string {
  return `${PS_HELPERS}
try {
  $result = & {
${body.trim()}
  }
  Out-Json $result
  exit 0
} catch {
  Out-Json ([ordered]@{ collectorError = [string]$_.Exception.Message })
  exit 1
}
`;
}

type Parsed<T> = { ok: true; data: T } | { ok: false; error: Evaluation };

function collectorError(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('collectorError' in value)) return undefined;
  const message = (value as { collectorError: unknown }).collectorError;
  return typeof message === 'string' ? message.slice(0, 300) : 'unknown error';
}

/**
 * Parses what a Windows collector printed: one JSON object matching `schema`. Anything else (a
 * non-zero exit, empty or truncated output, a script error, an unexpected shape) is an `error`
 * verdict with the reason — never a pass or a fail.
 */
export function parseJsonOutput<T>(output: CollectorOutput, schema: z.ZodType<T>): Parsed<T> {
  const observed: Record<string, JsonValue> = { exitCode: output.exitCode };
  if (output.stdout.length > MAX_STDOUT_CHARS) {
    return { ok: false, error: errorEvaluation('The collector printed far more than one status object.', observed) };
  }
  const text = output.stdout.replace(/^\uFEFF/, '').trim();
  let value: unknown;
  try {
    value = text === '' ? undefined : JSON.parse(text);
  } catch {
    value = undefined;
  }
  const scriptError = collectorError(value);
  if (scriptError !== undefined) observed.collectorError = scriptError;
  if (output.exitCode !== 0 || scriptError !== undefined) {
    const why = scriptError === undefined ? '' : `: ${scriptError.replace(/[.\s]+$/, '')}`;
    return {
      ok: false,
      error: errorEvaluation(`The PowerShell collector failed with exit code ${output.exitCode}${why}.`, observed),
    };
  }
  if (value === undefined) {
    const what = text === '' ? 'printed nothing' : 'did not print valid JSON (truncated or garbled output)';
    return { ok: false, error: errorEvaluation(`The PowerShell collector ${what}.`, observed) };
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return {
      ok: false,
      error: errorEvaluation(
        `The collector's JSON has an unexpected shape${where}: ${issue?.message ?? 'invalid'}.`,
        observed,
      ),
    };
  }
  return { ok: true, data: result.data };
}
