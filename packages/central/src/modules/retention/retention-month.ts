/**
 * Whole calendar months (UTC) for the retention job. A month may be purged once it ended at or
 * before `now − retention months`: every such month ends on or before the first instant of the
 * month that `now − retention months` falls in, which this returns. Calendar months, not 30-day
 * blocks, so "72 months" is six years to the month whatever the day.
 */
export function purgeBefore(now: Date, retentionMonths: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - retentionMonths, 1));
}

/** A `YYYY-MM` month as its UTC window `[first instant, first instant of the next month)`. */
export function monthBounds(month: string): { start: Date; end: Date } {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return { start: new Date(Date.UTC(year, mon - 1, 1)), end: new Date(Date.UTC(year, mon, 1)) };
}
