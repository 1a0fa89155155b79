import { describe, expect, it } from 'vitest';
import { parseRules } from './healing';

const good = {
  id: 'L1-SSH-EMPTY',
  name: 'Refuse empty SSH passwords',
  conditions: [{ field: 'checkId', operator: 'eq', value: 'linux.ssh.permit-empty-passwords' }],
  action: 'rb-linux.ssh.permit-empty-passwords',
};

const messageOf = (input: unknown): string => {
  const parsed = parseRules(input);
  if (parsed.ok) throw new Error('expected the rules to be refused');
  return parsed.message;
};

describe('L1 rule parsing', () => {
  it('fills the documented defaults', () => {
    const parsed = parseRules([good]);
    expect(parsed.ok && parsed.rules[0]).toMatchObject({
      enabled: true,
      priority: 100,
      cooldownSeconds: 300,
      source: 'custom',
      severityFilter: null,
      actionParams: {},
    });
  });

  it('refuses an invalid regex and names the rule and field', () => {
    const message = messageOf([
      good,
      { ...good, id: 'L1-B', conditions: [{ field: 'reason', operator: 'regex', value: '(' }] },
    ]);
    expect(message).toMatch(/^rules\[1\]\.conditions\[0\]\.value: invalid regular expression/);
  });

  it('refuses a regex with nested quantifiers, which could backtrack for minutes', () => {
    expect(messageOf([{ ...good, conditions: [{ field: 'reason', operator: 'regex', value: '^(a+)+$' }] }])).toMatch(
      /nested quantifiers/,
    );
  });

  it('refuses operators given the wrong kind of value', () => {
    expect(messageOf([{ ...good, conditions: [{ field: 'severity', operator: 'in', value: 'high' }] }])).toMatch(
      /in needs a list/,
    );
    expect(messageOf([{ ...good, conditions: [{ field: 'attempts', operator: 'gt', value: '3' }] }])).toMatch(
      /gt needs a number/,
    );
    expect(messageOf([{ ...good, conditions: [{ field: 'x', operator: 'exists', value: true }] }])).toMatch(
      /conditions\[0\]\.operator/,
    );
  });

  it('refuses actions that are neither a runbook id nor escalate', () => {
    expect(messageOf([{ ...good, action: 'restart_service:chronyd' }])).toMatch(/rb-<check id> or escalate/);
  });

  it('refuses duplicate ids, unknown fields and promoted rules without provenance', () => {
    expect(messageOf([good, good])).toMatch(/duplicate rule id L1-SSH-EMPTY/);
    expect(messageOf([{ ...good, max_retries: 1 }])).toMatch(/rules\[0\]/);
    expect(messageOf([{ ...good, source: 'promoted' }])).toMatch(/provenance/);
  });

  it('accepts a promoted rule that carries its provenance', () => {
    const promoted = {
      ...good,
      source: 'promoted',
      provenance: {
        patternSignature: 'ab'.repeat(32),
        promotedAt: '2026-11-30T12:00:00.000Z',
        approvedBy: 'partner-admin@example.com',
        l2Successes: 6,
        successRate: 1,
      },
    };
    expect(parseRules([promoted]).ok).toBe(true);
  });
});
