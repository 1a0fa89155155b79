import { describe, expect, it } from 'vitest';
import { HealingPolicy } from '@osiris/protocol';
import { isInWindow } from './policy';

const at = (iso: string) => new Date(iso);

describe('maintenance windows', () => {
  it('covers a same-day window from start (inclusive) to end (exclusive)', () => {
    const windows = [{ days: ['mon' as const], start: '09:00', end: '17:00', timeZone: 'UTC' }];
    // 2026-11-30 is a Monday.
    expect(isInWindow(windows, at('2026-11-30T08:59:00Z'))).toBe(false);
    expect(isInWindow(windows, at('2026-11-30T09:00:00Z'))).toBe(true);
    expect(isInWindow(windows, at('2026-11-30T16:59:00Z'))).toBe(true);
    expect(isInWindow(windows, at('2026-11-30T17:00:00Z'))).toBe(false);
    expect(isInWindow(windows, at('2026-12-01T10:00:00Z'))).toBe(false);
  });

  it('runs a window that crosses midnight into the following day', () => {
    const windows = [{ days: ['sat' as const], start: '22:00', end: '04:00', timeZone: 'UTC' }];
    // 2026-11-28 is a Saturday.
    expect(isInWindow(windows, at('2026-11-28T21:59:00Z'))).toBe(false);
    expect(isInWindow(windows, at('2026-11-28T23:30:00Z'))).toBe(true);
    expect(isInWindow(windows, at('2026-11-29T03:59:00Z'))).toBe(true);
    expect(isInWindow(windows, at('2026-11-29T04:00:00Z'))).toBe(false);
    // Sunday night is not a Saturday window, and Saturday morning belongs to Friday's.
    expect(isInWindow(windows, at('2026-11-29T23:00:00Z'))).toBe(false);
    expect(isInWindow(windows, at('2026-11-28T02:00:00Z'))).toBe(false);
  });

  it('reads the day and time on the site clock of a non-UTC zone', () => {
    const windows = [{ days: ['mon' as const], start: '22:00', end: '02:00', timeZone: 'America/New_York' }];
    // Monday 22:30 in New York (EST, UTC−5) is Tuesday 03:30 UTC.
    expect(isInWindow(windows, at('2026-12-01T03:30:00Z'))).toBe(true);
    // Tuesday 01:30 in New York is still Monday's window.
    expect(isInWindow(windows, at('2026-12-01T06:30:00Z'))).toBe(true);
    // Monday 22:30 UTC is only 17:30 in New York.
    expect(isInWindow(windows, at('2026-11-30T22:30:00Z'))).toBe(false);
  });

  it('follows daylight saving time in the site zone', () => {
    const windows = [{ days: ['sun' as const], start: '02:00', end: '05:00', timeZone: 'Europe/Berlin' }];
    // Sunday 2026-07-05 03:00 CEST (UTC+2) = 01:00 UTC; 2026-12-06 03:00 CET (UTC+1) = 02:00 UTC.
    expect(isInWindow(windows, at('2026-07-05T01:00:00Z'))).toBe(true);
    expect(isInWindow(windows, at('2026-12-06T02:00:00Z'))).toBe(true);
    expect(isInWindow(windows, at('2026-12-06T04:30:00Z'))).toBe(false);
  });

  it('is never inside when there are no windows, and start == end means a whole day', () => {
    expect(isInWindow([], at('2026-11-30T12:00:00Z'))).toBe(false);
    const allDay = [{ days: ['mon' as const], start: '00:00', end: '00:00', timeZone: 'UTC' }];
    expect(isInWindow(allDay, at('2026-11-30T00:00:00Z'))).toBe(true);
    expect(isInWindow(allDay, at('2026-11-30T23:59:00Z'))).toBe(true);
    expect(isInWindow(allDay, at('2026-12-01T00:00:00Z'))).toBe(false);
  });
});

describe('healing policy', () => {
  const policy = {
    tier: 'l1',
    dryRun: false,
    maintenanceWindows: [{ days: ['sun'], start: '01:00', end: '03:00', timeZone: 'Europe/Berlin' }],
    rateLimits: { globalPerHour: 20, perHostPerHour: 4 },
  };

  it('accepts a valid policy', () => {
    expect(HealingPolicy.safeParse(policy).success).toBe(true);
  });

  it('refuses an unknown time zone, a malformed time and an unknown tier', () => {
    const window = policy.maintenanceWindows[0];
    expect(
      HealingPolicy.safeParse({ ...policy, maintenanceWindows: [{ ...window, timeZone: 'Mars/Olympus' }] }).success,
    ).toBe(false);
    expect(HealingPolicy.safeParse({ ...policy, maintenanceWindows: [{ ...window, end: '24:00' }] }).success).toBe(
      false,
    );
    expect(HealingPolicy.safeParse({ ...policy, tier: 'l2' }).success).toBe(false);
  });
});
