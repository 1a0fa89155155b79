import type { CisImplementationGroup, FrameworkControl } from './schema';

type Row = readonly [id: string, title: string, implementationGroup: CisImplementationGroup];

const family = (name: string, rows: readonly Row[]): FrameworkControl[] =>
  rows.map(([id, title, implementationGroup]) => ({
    framework: 'cis-v8',
    id,
    title,
    family: name,
    implementationGroup,
  }));

/**
 * CIS Critical Security Controls v8: all 153 safeguards of the 18 controls, each with the smallest implementation
 * group that includes it. Titles are our paraphrases. Controls 1–9 here, 10–18 in `cis-v8-b.ts`.
 */
export const CIS_V8_CONTROLS_A: readonly FrameworkControl[] = Object.freeze([
  ...family('1 Inventory and control of enterprise assets', [
    ['1.1', 'Keep a detailed inventory of enterprise assets', 1],
    ['1.2', 'Deal with unauthorized assets', 1],
    ['1.3', 'Discover assets with an active scanning tool', 2],
    ['1.4', 'Update the asset inventory from DHCP logs', 2],
    ['1.5', 'Discover assets with a passive tool', 3],
  ]),
  ...family('2 Inventory and control of software assets', [
    ['2.1', 'Keep a software inventory', 1],
    ['2.2', 'Make sure authorized software is still supported', 1],
    ['2.3', 'Deal with unauthorized software', 1],
    ['2.4', 'Inventory software with automated tools', 2],
    ['2.5', 'Allow only authorized software to run', 2],
    ['2.6', 'Allow only authorized libraries to load', 2],
    ['2.7', 'Allow only authorized scripts to run', 3],
  ]),
  ...family('3 Data protection', [
    ['3.1', 'Keep a data management process', 1],
    ['3.2', 'Keep a data inventory', 1],
    ['3.3', 'Set data access control lists by need to know', 1],
    ['3.4', 'Enforce data retention limits', 1],
    ['3.5', 'Dispose of data securely', 1],
    ['3.6', 'Encrypt data on end-user devices', 1],
    ['3.7', 'Keep a data classification scheme', 2],
    ['3.8', 'Document data flows', 2],
    ['3.9', 'Encrypt data on removable media', 2],
    ['3.10', 'Encrypt sensitive data in transit', 2],
    ['3.11', 'Encrypt sensitive data at rest', 2],
    ['3.12', 'Separate data processing and storage by sensitivity', 2],
    ['3.13', 'Deploy data loss prevention', 3],
    ['3.14', 'Log access to sensitive data', 3],
  ]),
  ...family('4 Secure configuration of enterprise assets and software', [
    ['4.1', 'Keep a secure configuration process for assets and software', 1],
    ['4.2', 'Keep a secure configuration process for network devices', 1],
    ['4.3', 'Lock sessions automatically after inactivity', 1],
    ['4.4', 'Run and manage a firewall on servers', 1],
    ['4.5', 'Run and manage a firewall on end-user devices', 1],
    ['4.6', 'Manage assets and software through secure protocols', 1],
    ['4.7', 'Manage default accounts on assets and software', 1],
    ['4.8', 'Remove or disable unneeded services', 2],
    ['4.9', 'Use trusted DNS servers', 2],
    ['4.10', 'Lock portable devices after failed unlock attempts', 2],
    ['4.11', 'Be able to wipe portable devices remotely', 2],
    ['4.12', 'Keep enterprise workspaces separate on mobile devices', 3],
  ]),
  ...family('5 Account management', [
    ['5.1', 'Keep an inventory of accounts', 1],
    ['5.2', 'Use unique passwords', 1],
    ['5.3', 'Disable dormant accounts', 1],
    ['5.4', 'Keep administrator rights on dedicated admin accounts', 1],
    ['5.5', 'Keep an inventory of service accounts', 2],
    ['5.6', 'Manage accounts centrally', 2],
  ]),
  ...family('6 Access control management', [
    ['6.1', 'Have a process for granting access', 1],
    ['6.2', 'Have a process for revoking access', 1],
    ['6.3', 'Require MFA for externally exposed applications', 1],
    ['6.4', 'Require MFA for remote network access', 1],
    ['6.5', 'Require MFA for administrative access', 1],
    ['6.6', 'Inventory authentication and authorization systems', 2],
    ['6.7', 'Manage access control centrally', 2],
    ['6.8', 'Define and maintain role-based access', 3],
  ]),
  ...family('7 Continuous vulnerability management', [
    ['7.1', 'Keep a vulnerability management process', 1],
    ['7.2', 'Keep a remediation process', 1],
    ['7.3', 'Patch operating systems automatically', 1],
    ['7.4', 'Patch applications automatically', 1],
    ['7.5', 'Scan internal assets for vulnerabilities automatically', 2],
    ['7.6', 'Scan externally exposed assets for vulnerabilities automatically', 2],
    ['7.7', 'Fix detected vulnerabilities', 2],
  ]),
  ...family('8 Audit log management', [
    ['8.1', 'Keep an audit log management process', 1],
    ['8.2', 'Collect audit logs', 1],
    ['8.3', 'Make sure there is enough audit log storage', 1],
    ['8.4', 'Synchronize time across assets', 2],
    ['8.5', 'Collect detailed audit logs', 2],
    ['8.6', 'Collect DNS query logs', 2],
    ['8.7', 'Collect URL request logs', 2],
    ['8.8', 'Collect command-line logs', 2],
    ['8.9', 'Centralize audit logs', 2],
    ['8.10', 'Keep audit logs for a set period', 2],
    ['8.11', 'Review audit logs', 2],
    ['8.12', 'Collect service provider logs', 3],
  ]),
  ...family('9 Email and web browser protections', [
    ['9.1', 'Use only supported browsers and email clients', 1],
    ['9.2', 'Use DNS filtering', 1],
    ['9.3', 'Keep network-based URL filters', 2],
    ['9.4', 'Restrict unneeded browser and email extensions', 2],
    ['9.5', 'Use DMARC', 2],
    ['9.6', 'Block unneeded file types', 2],
    ['9.7', 'Run anti-malware on email servers', 3],
  ]),
]);
