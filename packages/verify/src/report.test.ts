import type { ExportVerifyResult } from '@osiris/protocol';
import { describe, expect, it } from 'vitest';
import { formatResult, terminalSafe } from './report';

const summary = {
  practiceName: 'Evil\u001b[2J Dental\u202e',
  period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
  appliances: 1,
  bundles: 3,
  proofs: 3,
  treeHeads: 1,
  consistencyProofs: 0,
  tsaTokens: 0,
  tsaTrustSource: 'none',
  packets: 0,
  files: 7,
  warnings: ['No tree head carries an RFC 3161 timestamp.'],
} satisfies ExportVerifyResult['summary'];

describe('terminalSafe', () => {
  it('shows control and bidi characters as escapes, keeps newlines and ordinary text', () => {
    expect(terminalSafe('a\u001b[31mb\u009bc\td\u202ee\nf é')).toBe('a\\u001b[31mb\\u009bc\\u0009d\\u202ee\nf é');
    const json = terminalSafe(JSON.stringify({ name: 'x\u009by' }));
    expect(JSON.parse(json)).toEqual({ name: 'x\u009by' });
  });
});

describe('formatResult', () => {
  it('prints the counts, steps, warnings and the failing item, with text from the export made safe', () => {
    const text = formatResult({
      ok: false,
      summary,
      steps: ['manifest.json: auditor export v1'],
      failure: { item: 'appliances/x/bundles.jsonl line 2 (seq 2)', step: 'appliances', message: 'was altered' },
    });
    expect(text).toContain('OsirisCare auditor export: Evil\\u001b[2J Dental\\u202e, 2026-11-01');
    expect(text).toContain('1 appliance(s), 3 bundle(s), 3 inclusion proof(s)');
    expect(text).toContain('  ok  manifest.json: auditor export v1');
    expect(text).toContain('  - No tree head carries an RFC 3161 timestamp.');
    expect(text.trimEnd().split('\n').at(-1)).toBe('FAILED: appliances/x/bundles.jsonl line 2 (seq 2): was altered');
    expect([...text].filter((char) => char !== '\n' && char.charCodeAt(0) < 0x20)).toEqual([]);
  });
});
