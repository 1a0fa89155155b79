/**
 * What detect and verify phases report. POSIX sh runbooks print `needed=yes|no` and `verified=yes`
 * lines; Windows runbooks print one JSON object (`{"needed": true}`, `{"verified": true}`, see
 * windows/windows-script.ts). Both forms are read here so the executor treats them alike.
 */

/** The phase's JSON object (a UTF-8 BOM and surrounding whitespace tolerated), or null. */
function phaseJson(stdout: string): Record<string, unknown> | null {
  const text = stdout.replace(/^\uFEFF/, '').trim();
  if (!text.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** `yes`/`no` from `needed=yes|no` or a JSON boolean `needed`; undefined when neither is there. */
export function detectedNeed(stdout: string): 'yes' | 'no' | undefined {
  const line = stdout.match(/^needed=(yes|no)\s*$/m)?.[1];
  if (line === 'yes' || line === 'no') return line;
  const needed = phaseJson(stdout)?.needed;
  if (typeof needed !== 'boolean') return undefined;
  return needed ? 'yes' : 'no';
}

/** True for a `verified=yes` line or a JSON `verified: true`. */
export function isVerifiedOutput(stdout: string): boolean {
  return /^verified=yes\s*$/m.test(stdout) || phaseJson(stdout)?.verified === true;
}
