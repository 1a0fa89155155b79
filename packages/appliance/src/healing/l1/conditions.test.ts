import { describe, expect, it } from 'vitest';
import { conditionHolds, type IncidentView, ruleMatches } from './conditions';
import { type Condition, L1Rule } from '@osiris/protocol';

const view: IncidentView = {
  incidentId: 'inc-1',
  hostId: 'host-1',
  hostname: 'ehr-db-01',
  checkId: 'linux.ssh.permit-empty-passwords',
  platform: 'linux',
  severity: 'high',
  status: 'open',
  incidentType: 'drift',
  reason: 'PermitEmptyPasswords is yes in the effective sshd configuration',
  observed: {
    permitemptypasswords: 'yes',
    port: 22,
    usagePercent: '93.5',
    isListening: true,
    users: ['alice', 'bob'],
    sshd: { config: { path: '/etc/ssh/sshd_config' } },
    nothing: null,
  },
  occurrences: 2,
  attempts: 1,
  l1Attempts: 1,
  openedAt: '2026-11-30T10:00:00.000Z',
  lastSeenAt: '2026-11-30T10:05:00.000Z',
  patternSignature: 'a'.repeat(64),
};

const holds = (field: string, operator: Condition['operator'], value: Condition['value']) =>
  conditionHolds({ field, operator, value }, view);

describe('L1 conditions', () => {
  it('eq and ne compare scalars exactly, without type coercion', () => {
    expect(holds('checkId', 'eq', 'linux.ssh.permit-empty-passwords')).toBe(true);
    expect(holds('observed.port', 'eq', 22)).toBe(true);
    expect(holds('observed.port', 'eq', '22')).toBe(false);
    expect(holds('observed.isListening', 'eq', true)).toBe(true);
    expect(holds('severity', 'ne', 'low')).toBe(true);
    expect(holds('severity', 'ne', 'high')).toBe(false);
  });

  it('contains is a substring test on text and a membership test on lists', () => {
    expect(holds('reason', 'contains', 'PermitEmptyPasswords')).toBe(true);
    expect(holds('reason', 'contains', 'PermitRootLogin')).toBe(false);
    expect(holds('observed.users', 'contains', 'bob')).toBe(true);
    expect(holds('observed.users', 'contains', 'bo')).toBe(false);
  });

  it('regex searches the text form of the value', () => {
    expect(holds('hostname', 'regex', '^ehr-db-\\d+$')).toBe(true);
    expect(holds('observed.port', 'regex', '^2\\d$')).toBe(true);
    expect(holds('hostname', 'regex', '^web-')).toBe(false);
  });

  it('a regex that does not compile or is too long never matches instead of throwing', () => {
    expect(holds('hostname', 'regex', '(unclosed')).toBe(false);
    expect(holds('hostname', 'regex', `${'e'.repeat(201)}`)).toBe(false);
    expect(holds('hostname', 'regex', '^(e+)+$')).toBe(false);
  });

  it('gt and lt compare numbers and numeric strings, and nothing else', () => {
    expect(holds('observed.port', 'gt', 21)).toBe(true);
    expect(holds('observed.port', 'lt', 22)).toBe(false);
    expect(holds('observed.usagePercent', 'gt', 90)).toBe(true);
    expect(holds('observed.usagePercent', 'lt', 90)).toBe(false);
    expect(holds('hostname', 'gt', 0)).toBe(false);
    expect(holds('observed.isListening', 'gt', 0)).toBe(false);
  });

  it('in and not_in test membership of a scalar in the rule list', () => {
    expect(holds('severity', 'in', ['critical', 'high'])).toBe(true);
    expect(holds('severity', 'in', ['low'])).toBe(false);
    expect(holds('severity', 'not_in', ['low', 'medium'])).toBe(true);
    expect(holds('severity', 'not_in', ['high'])).toBe(false);
  });

  it('follows dot paths into nested observed facts', () => {
    expect(holds('observed.sshd.config.path', 'eq', '/etc/ssh/sshd_config')).toBe(true);
    expect(holds('observed.sshd.config.path', 'contains', 'sshd_config')).toBe(true);
  });

  it('a missing or null field makes every operator false, ne and not_in included', () => {
    const operators: [Condition['operator'], Condition['value']][] = [
      ['eq', 'x'],
      ['ne', 'x'],
      ['contains', 'x'],
      ['regex', '.*'],
      ['gt', 0],
      ['lt', 1e9],
      ['in', ['x']],
      ['not_in', ['x']],
    ];
    for (const field of ['observed.absent', 'observed.sshd.absent.deeper', 'observed.nothing', 'nosuchfield']) {
      for (const [operator, value] of operators)
        expect(holds(field, operator, value), `${field} ${operator}`).toBe(false);
    }
  });

  it('never reads inherited properties through a path', () => {
    expect(holds('observed.constructor', 'ne', 'x')).toBe(false);
    expect(holds('reason.length', 'gt', 0)).toBe(false);
  });
});

describe('L1 rule matching', () => {
  const rule = (extra: Record<string, unknown>) =>
    L1Rule.parse({
      id: 'L1-TEST',
      name: 'test',
      conditions: [{ field: 'checkId', operator: 'eq', value: 'linux.ssh.permit-empty-passwords' }],
      action: 'rb-linux.ssh.permit-empty-passwords',
      ...extra,
    });

  it('requires every condition to hold', () => {
    expect(ruleMatches(rule({}), view)).toBe(true);
    const both = rule({
      conditions: [
        { field: 'checkId', operator: 'eq', value: 'linux.ssh.permit-empty-passwords' },
        { field: 'observed.permitemptypasswords', operator: 'eq', value: 'no' },
      ],
    });
    expect(ruleMatches(both, view)).toBe(false);
  });

  it('honours the severity filter and the enabled flag', () => {
    expect(ruleMatches(rule({ severityFilter: ['critical', 'high'] }), view)).toBe(true);
    expect(ruleMatches(rule({ severityFilter: ['low'] }), view)).toBe(false);
    expect(ruleMatches(rule({ enabled: false }), view)).toBe(false);
  });
});
