import type { LinuxCheck } from '../../check';
import { noFtpServer } from './no-ftp-server';
import { noRshServer } from './no-rsh-server';
import { noTelnetServer } from './no-telnet-server';
import { noTftpServer } from './no-tftp-server';

/** Checks of the catalog's services group (protocol src/catalog/linux-services.ts). */
export const LINUX_SERVICES_CHECKS: readonly LinuxCheck[] = [noTelnetServer, noRshServer, noFtpServer, noTftpServer];
