import { describe, expect, it } from 'vitest';
import { formatDuration, median, monthLabel, monthWindow, previousMonth } from './packet-month';

describe('packet months', () => {
  it('spans a month as a half-open UTC window, across the year end', () => {
    expect(monthWindow('2026-12')).toEqual({
      start: new Date('2026-12-01T00:00:00.000Z'),
      end: new Date('2027-01-01T00:00:00.000Z'),
    });
    expect(monthWindow('2024-02').end.toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });

  it('names the month before, including January to December', () => {
    expect(previousMonth(new Date('2027-01-01T00:30:00Z'))).toBe('2026-12');
    expect(previousMonth(new Date('2026-03-31T23:59:59Z'))).toBe('2026-02');
    expect(monthLabel('2026-11')).toBe('November 2026');
  });

  it('takes the median of odd and even counts and of none', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('formats durations for people', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(85_300)).toBe('85.3 s');
    expect(formatDuration(180_000)).toBe('3.0 min');
    expect(formatDuration(null)).toBe('-');
  });
});
