import type { LinuxCheck } from '../../check';
import { acceptRedirects } from './accept-redirects';
import { acceptSourceRoute } from './accept-source-route';
import { aslr } from './aslr';
import { coreDumps } from './core-dumps';
import { defaultDenyInput } from './default-deny-input';
import { ipForward } from './ip-forward';
import { rpFilter } from './rp-filter';
import { sendRedirects } from './send-redirects';
import { tcpSyncookies } from './tcp-syncookies';

/** Checks of the catalog's network group (protocol src/catalog/linux-network.ts). */
export const LINUX_NETWORK_CHECKS: readonly LinuxCheck[] = [
  defaultDenyInput,
  ipForward,
  acceptRedirects,
  sendRedirects,
  acceptSourceRoute,
  rpFilter,
  tcpSyncookies,
  aslr,
  coreDumps,
];
