import type { ExportVerifyResult } from '@osiris/protocol';

const TRUST_SOURCE = {
  option: 'the --tsa-ca certificates',
  export: 'tsa/trusted-certs.pem of the export',
  none: 'none',
} as const;

/**
 * Control and bidirectional-formatting characters, except "\n": names and messages quote text from
 * the export (practice name, hostnames, JSON keys), which must not drive the auditor's terminal.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the purpose.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every unsafe character as a visible escape (in JSON output, a valid \u escape). */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The human summary printed on stdout: what was checked, warnings, then OK or FAILED. */
export function formatResult(result: ExportVerifyResult): string {
  const { summary } = result;
  const lines: string[] = [];
  const practice = summary.practiceName ?? '(unknown practice)';
  const period = summary.period ? `${summary.period.from} to ${summary.period.to}` : '(unknown period)';
  lines.push(`OsirisCare auditor export: ${practice}, ${period}`);
  lines.push(
    `  ${summary.appliances} appliance(s), ${summary.bundles} bundle(s), ${summary.proofs} inclusion proof(s), ` +
      `${summary.treeHeads} tree head(s), ${summary.consistencyProofs} consistency proof(s), ` +
      `${summary.tsaTokens} timestamp token(s), ${summary.packets} packet(s), ${summary.files} file(s)`,
  );
  lines.push(`  TSA trust: ${TRUST_SOURCE[summary.tsaTrustSource]}`);
  lines.push('');
  for (const step of result.steps) lines.push(`  ok  ${step}`);
  if (summary.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const warning of summary.warnings) lines.push(`  - ${warning}`);
  }
  lines.push('');
  if (result.ok) lines.push('OK: every check holds.');
  else lines.push(`FAILED: ${result.failure.item}: ${result.failure.message}`);
  return `${terminalSafe(lines.join('\n'))}\n`;
}
