import { type FrameworkControl, type ControlRow, rowsToControls } from './schema';

const family = (name: string, rows: readonly ControlRow[]): FrameworkControl[] =>
  rowsToControls('nist-800-171', name, rows);

/** NIST SP 800-171 Rev. 2, families 3.8–3.14. Titles are our paraphrases. */
export const NIST_800_171_CONTROLS_B: readonly FrameworkControl[] = Object.freeze([
  ...family('3.8 Media Protection', [
    ['3.8.1', 'Protect system media holding CUI, paper and digital'],
    ['3.8.2', 'Limit access to CUI on media to authorized users'],
    ['3.8.3', 'Sanitize or destroy media holding CUI before disposal or reuse'],
    ['3.8.4', 'Mark media with CUI markings and distribution limits'],
    ['3.8.5', 'Control access to CUI media and keep accountability during transport'],
    ['3.8.6', 'Encrypt CUI on digital media during transport unless otherwise protected'],
    ['3.8.7', 'Control the use of removable media'],
    ['3.8.8', 'Forbid portable storage devices with no identifiable owner'],
    ['3.8.9', 'Protect the confidentiality of backup CUI where it is stored'],
  ]),
  ...family('3.9 Personnel Security', [
    ['3.9.1', 'Screen people before they get access to systems with CUI'],
    ['3.9.2', 'Protect CUI and systems during and after terminations and transfers'],
  ]),
  ...family('3.10 Physical Protection', [
    ['3.10.1', 'Limit physical access to systems, equipment and operating areas'],
    ['3.10.2', 'Protect and monitor the physical facility and support infrastructure'],
    ['3.10.3', 'Escort and monitor visitors'],
    ['3.10.4', 'Keep audit logs of physical access'],
    ['3.10.5', 'Control and manage physical access devices'],
    ['3.10.6', 'Enforce safeguards for CUI at alternate work sites'],
  ]),
  ...family('3.11 Risk Assessment', [
    ['3.11.1', 'Assess risk to operations, assets and people periodically'],
    ['3.11.2', 'Scan for vulnerabilities periodically and when new ones are found'],
    ['3.11.3', 'Remediate vulnerabilities according to risk'],
  ]),
  ...family('3.12 Security Assessment', [
    ['3.12.1', 'Assess security controls periodically for effectiveness'],
    ['3.12.2', 'Develop and run plans of action to fix deficiencies'],
    ['3.12.3', 'Monitor security controls continuously'],
    ['3.12.4', 'Keep a system security plan current'],
  ]),
  ...family('3.13 System and Communications Protection', [
    ['3.13.1', 'Monitor, control and protect communications at system boundaries'],
    ['3.13.2', 'Use architecture and engineering practices that promote security'],
    ['3.13.3', 'Separate user functionality from system management'],
    ['3.13.4', 'Prevent unintended information transfer through shared resources'],
    ['3.13.5', 'Put publicly accessible components in separate subnetworks'],
    ['3.13.6', 'Deny network traffic by default and allow by exception'],
    ['3.13.7', 'Prevent split tunnelling for remote devices'],
    ['3.13.8', 'Use cryptography to protect CUI in transit unless otherwise protected'],
    ['3.13.9', 'End network connections at session end or after inactivity'],
    ['3.13.10', 'Establish and manage cryptographic keys'],
    ['3.13.11', 'Use FIPS-validated cryptography to protect CUI'],
    ['3.13.12', 'Prohibit remote activation of collaborative devices and show when in use'],
    ['3.13.13', 'Control and monitor mobile code'],
    ['3.13.14', 'Control and monitor Voice over IP'],
    ['3.13.15', 'Protect the authenticity of communication sessions'],
    ['3.13.16', 'Protect the confidentiality of CUI at rest'],
  ]),
  ...family('3.14 System and Information Integrity', [
    ['3.14.1', 'Identify, report and correct system flaws in time'],
    ['3.14.2', 'Protect against malicious code at appropriate places'],
    ['3.14.3', 'Monitor security alerts and advisories and act on them'],
    ['3.14.4', 'Update malicious code protection when new releases are available'],
    ['3.14.5', 'Scan systems periodically and files from external sources in real time'],
    ['3.14.6', 'Monitor systems and traffic to detect attacks and indicators of attack'],
    ['3.14.7', 'Identify unauthorized use of systems'],
  ]),
]);
