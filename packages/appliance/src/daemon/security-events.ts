import type { Logger } from '../log';

/** The status page shows this many of the newest security events. */
const SECURITY_EVENTS_KEPT = 50;

export interface PinMismatch {
  hostname: string;
  endpoint: string;
  pinned: string;
  presented: string;
}

/**
 * Security events for the status page, newest first: a target that presented another SSH host
 * key or, for WinRM (endpoints pinned as https://host:port), another TLS certificate than pinned.
 */
export function createSecurityEvents(log: Logger) {
  const events: { at: string; message: string }[] = [];
  return {
    list: () => [...events],
    onPinMismatch(info: PinMismatch): void {
      const what = info.endpoint.startsWith('https://') ? 'TLS certificate' : 'host key';
      const message = `${info.hostname} (${info.endpoint}) presented ${what} ${info.presented}, pinned ${info.pinned}: refused`;
      log.error(`${what === 'host key' ? 'SSH host key' : 'WinRM TLS certificate'} changed; refusing to connect`, {
        ...info,
      });
      events.unshift({ at: new Date().toISOString(), message });
      events.splice(SECURITY_EVENTS_KEPT);
    },
  };
}
