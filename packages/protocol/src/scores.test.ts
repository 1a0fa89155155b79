import { describe, expect, it } from 'vitest';
import { computeScores, type ScoreInputs, scoreOf } from './scores';

const AT = '2026-06-15T12:00:00.000Z';
const minutesBefore = (m: number) => new Date(Date.parse(AT) - m * 60_000).toISOString();
const H1 = 'host-1';
const H2 = 'host-2';

/**
 * GDPR Art. 32 has 12 controls, 4 of them automated. Worked by hand:
 *   items: H1 ciphers pass, H1 telnet pass, H1 root-login fail, H1 backup error → unknown,
 *          H2 x11 pass but 20 min old with a 5-min interval → unknown, H2 root-login excepted.
 *   25(2)    {x11, telnet, …}     : telnet pass, x11 unknown            → unknown
 *   32(1)(a) {ciphers, telnet, …} : pass, pass                          → pass
 *   32(1)(b) {70 checks}          : 2 pass, 1 fail, 1 unknown, 1 excepted → fail
 *   32(1)(c) {backup}             : unknown                             → unknown
 *   32(1)(d) manual, attested until later                               → pass
 *   32(2)    manual, attestation expired                                → unattested
 *   5(1)(f), 25(1), 32(4), 33(1), 33(2), 33(5) manual, none             → unattested
 *   passing 2, failing 1, unknown 2 → 2 ÷ 5 = 40.0 %; 7 unattested apart.
 */
const inputs: ScoreInputs = {
  at: AT,
  frameworks: ['gdpr-32'],
  includeManual: true,
  results: [
    { hostId: H1, checkId: 'linux.ssh.strong-ciphers', status: 'pass', finishedAt: minutesBefore(2) },
    { hostId: H1, checkId: 'linux.service.no-telnet-server', status: 'pass', finishedAt: minutesBefore(3) },
    { hostId: H1, checkId: 'linux.ssh.permit-root-login', status: 'fail', finishedAt: minutesBefore(1) },
    { hostId: H1, checkId: 'linux.backup.recent', status: 'error', finishedAt: minutesBefore(30) },
    { hostId: H2, checkId: 'linux.ssh.x11-forwarding', status: 'pass', finishedAt: minutesBefore(20) },
    { hostId: H2, checkId: 'linux.ssh.permit-root-login', status: 'fail', finishedAt: minutesBefore(1) },
  ],
  exceptions: [
    {
      id: 'e1',
      hostId: H2,
      checkIds: ['linux.ssh.permit-root-login'],
      startsAt: minutesBefore(60),
      expiresAt: '2026-07-01T00:00:00.000Z',
    },
  ],
  attestations: [
    {
      framework: 'gdpr-32',
      controlId: '32(1)(d)',
      attestedAt: '2026-01-10T00:00:00.000Z',
      expiresAt: '2027-01-10T00:00:00.000Z',
    },
    {
      framework: 'gdpr-32',
      controlId: '32(2)',
      attestedAt: '2025-01-10T00:00:00.000Z',
      expiresAt: '2026-01-10T00:00:00.000Z',
    },
  ],
};

describe('the compliance score formula', () => {
  it('matches a score worked out by hand', () => {
    const [gdpr] = computeScores(inputs);
    const status = Object.fromEntries((gdpr?.controls ?? []).map((c) => [c.id, c.status]));
    expect(status).toEqual({
      '5(1)(f)': 'unattested',
      '25(1)': 'unattested',
      '25(2)': 'unknown',
      '32(1)(a)': 'pass',
      '32(1)(b)': 'fail',
      '32(1)(c)': 'unknown',
      '32(1)(d)': 'pass',
      '32(2)': 'unattested',
      '32(4)': 'unattested',
      '33(1)': 'unattested',
      '33(2)': 'unattested',
      '33(5)': 'unattested',
    });
    expect(gdpr?.counts).toEqual({ passing: 2, failing: 1, unknown: 2, excepted: 0, notAssessed: 0, unattested: 7 });
    expect(gdpr?.score).toBe(40);
    expect(gdpr?.controls.find((c) => c.id === '32(1)(b)')?.items).toEqual({
      pass: 2,
      fail: 1,
      unknown: 1,
      excepted: 1,
    });
  });

  it('lets an exception lapse at its expiry, and drops manual controls from a host score', () => {
    const later = { ...inputs, at: '2026-07-01T00:00:00.000Z' };
    // Everything is stale by then except what we refresh: only the exception's end matters here.
    const refreshed = {
      ...later,
      results: inputs.results.map((r) => ({ ...r, finishedAt: '2026-06-30T23:59:00.000Z' })),
    };
    const b = computeScores(refreshed)[0]?.controls.find((c) => c.id === '32(1)(b)');
    expect(b?.items).toEqual({ pass: 3, fail: 2, unknown: 0, excepted: 0 }); // x11 is fresh now, and H2's root login fails again

    const host = computeScores({
      ...inputs,
      includeManual: false,
      results: inputs.results.filter((r) => r.hostId === H1),
    })[0];
    expect(host?.controls.map((c) => c.id)).toEqual(['25(2)', '32(1)(a)', '32(1)(b)', '32(1)(c)']);
    expect(host?.counts).toEqual({ passing: 2, failing: 1, unknown: 1, excepted: 0, notAssessed: 0, unattested: 0 });
    expect(host?.score).toBe(50);
  });

  it('gives no score without evidence, and counts a fully excepted control apart', () => {
    const empty = computeScores({ ...inputs, results: [], attestations: [] })[0];
    expect(empty?.score).toBeNull();
    expect(empty?.counts.notAssessed).toBe(4);
    const onlyExcepted = computeScores({
      ...inputs,
      attestations: [],
      results: [{ hostId: H2, checkId: 'linux.backup.recent', status: 'pass', finishedAt: minutesBefore(1) }],
      exceptions: [
        {
          id: 'e2',
          hostId: null,
          checkIds: ['linux.backup.recent'],
          startsAt: minutesBefore(5),
          expiresAt: '2026-07-01T00:00:00.000Z',
        },
      ],
    })[0];
    expect(onlyExcepted?.controls.find((c) => c.id === '32(1)(c)')?.status).toBe('excepted');
    expect(onlyExcepted?.score).toBeNull();
    expect(scoreOf({ passing: 1, failing: 2, unknown: 0, excepted: 5, notAssessed: 0, unattested: 0 })).toBe(33.3);
  });
});
