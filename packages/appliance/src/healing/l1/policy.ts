import { z } from 'zod';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAYS)[number];

const HHMM = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM (00:00–23:59)');

const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'unknown IANA time zone');

/**
 * A weekly window in a site's local time. `days` are the days the window starts on; when `end`
 * is not after `start` the window runs past midnight into the next day (start == end: 24 hours).
 */
const MaintenanceWindow = z.strictObject({
  days: z.array(z.enum(DAYS)).min(1).max(7),
  start: HHMM,
  end: HHMM,
  timeZone: TimeZone,
});
type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

/** How far this site lets the appliance heal on its own (set by a signed order from central). */
export const HealingPolicy = z.strictObject({
  /** monitor_only never heals; l1 runs rules only; l1_l2 adds the LLM planner; full adds L3 escalation. */
  tier: z.enum(['monitor_only', 'l1', 'l1_l2', 'full']),
  /** Decide and record everything, change nothing on hosts. */
  dryRun: z.boolean(),
  /** Empty: healing may run at any time. Otherwise only inside one of these windows. */
  maintenanceWindows: z.array(MaintenanceWindow).max(20),
  /** Runbook runs (L1 and L2, dry runs included) allowed per rolling hour. */
  rateLimits: z.strictObject({
    globalPerHour: z.number().int().min(0).max(10_000),
    perHostPerHour: z.number().int().min(0).max(1_000),
  }),
});
export type HealingPolicy = z.infer<typeof HealingPolicy>;

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Weekday and minute of the day of `date` on the wall clock of `timeZone`. */
function localTime(date: Date, timeZone: string): { day: Day; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = part('weekday').slice(0, 3).toLowerCase() as Day;
  return { day, minute: Number(part('hour')) * 60 + Number(part('minute')) };
}

const previousDay = (day: Day): Day => DAYS[(DAYS.indexOf(day) + 6) % 7] as Day;

function inWindow(window: MaintenanceWindow, date: Date): boolean {
  const { day, minute } = localTime(date, window.timeZone);
  const start = minutes(window.start);
  const end = minutes(window.end);
  if (start < end) return window.days.includes(day) && minute >= start && minute < end;
  // Past midnight: the evening part belongs to today's window, the morning part to yesterday's.
  return (window.days.includes(day) && minute >= start) || (window.days.includes(previousDay(day)) && minute < end);
}

/** Whether `date` falls in any of the windows (start inclusive, end exclusive). No windows: false. */
export function isInWindow(windows: readonly MaintenanceWindow[], date: Date): boolean {
  return windows.some((window) => inWindow(window, date));
}
