import type { WindowsCheck } from '../../check';
import { auditPolicy } from './audit-policy';
import { eventLogs } from './event-logs';
import { timeService } from './time-service';

/** Checks of the catalog's Windows logging group (protocol src/catalog/windows-logging.ts). */
export const WINDOWS_LOGGING_CHECKS: readonly WindowsCheck[] = [auditPolicy, eventLogs, timeService];
