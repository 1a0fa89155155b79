import type { HealingPolicy } from '@osiris/protocol';

type MaintenanceWindow = HealingPolicy['maintenanceWindows'][number];
type Day = MaintenanceWindow['days'][number];
const DAYS: readonly Day[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

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
