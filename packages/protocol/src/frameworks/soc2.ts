import { type FrameworkControl, type ControlRow, rowsToControls } from './schema';

const family = (name: string, rows: readonly ControlRow[]): FrameworkControl[] => rowsToControls('soc2', name, rows);

/**
 * AICPA Trust Services Criteria (2017, points of focus revised 2022): all common criteria and the
 * availability, confidentiality, processing integrity and privacy criteria. Titles are our paraphrases.
 */
export const SOC2_CONTROLS: readonly FrameworkControl[] = Object.freeze([
  ...family('CC1 control environment', [
    ['CC1.1', 'Leadership shows commitment to integrity and ethical values'],
    ['CC1.2', 'The board oversees internal control independently of management'],
    ['CC1.3', 'Management sets structures, reporting lines and authority'],
    ['CC1.4', 'The organization attracts, develops and keeps competent people'],
    ['CC1.5', 'People are held accountable for their internal control duties'],
  ]),
  ...family('CC2 Communication and information', [
    ['CC2.1', 'Relevant, quality information supports internal control'],
    ['CC2.2', 'Control objectives and responsibilities are communicated internally'],
    ['CC2.3', 'Matters affecting internal control are communicated to outside parties'],
  ]),
  ...family('CC3 Risk assessment', [
    ['CC3.1', 'Objectives are specified clearly enough to assess risks'],
    ['CC3.2', 'Risks to objectives are identified and analysed'],
    ['CC3.3', 'The potential for fraud is considered in risk assessment'],
    ['CC3.4', 'Changes that could affect internal control are identified and assessed'],
  ]),
  ...family('CC4 Monitoring activities', [
    ['CC4.1', 'Ongoing or separate evaluations confirm controls are present and working'],
    ['CC4.2', 'Control deficiencies are reported and corrected in time'],
  ]),
  ...family('CC5 control activities', [
    ['CC5.1', 'Control activities are chosen to reduce risks to acceptable levels'],
    ['CC5.2', 'General controls over technology are chosen and developed'],
    ['CC5.3', 'Controls are deployed through policies and procedures'],
  ]),
  ...family('CC6 Logical and physical access controls', [
    ['CC6.1', 'Logical access software, infrastructure and architecture protect information assets'],
    ['CC6.2', 'Users are registered and authorized before access, and removed when no longer needed'],
    ['CC6.3', 'Access is granted, changed and removed by role, with least privilege and segregation of duties'],
    ['CC6.4', 'Physical access to facilities and protected assets is restricted'],
    ['CC6.5', 'Data and software are made unreadable before assets are disposed of'],
    ['CC6.6', 'Logical access from outside the system boundary is controlled'],
    ['CC6.7', 'Information is protected while transmitted, moved or removed'],
    ['CC6.8', 'Unauthorized or malicious software is prevented or detected'],
  ]),
  ...family('CC7 System operations', [
    ['CC7.1', 'Configuration changes and new vulnerabilities are detected and monitored'],
    ['CC7.2', 'System components are monitored for anomalies that indicate attacks or errors'],
    ['CC7.3', 'Security events are evaluated to decide whether they are incidents'],
    ['CC7.4', 'Security incidents are responded to under a defined program'],
    ['CC7.5', 'Recovery from security incidents is planned and carried out'],
  ]),
  ...family('CC8 Change management', [
    ['CC8.1', 'Changes to infrastructure, data and software are authorized, tested and approved'],
  ]),
  ...family('CC9 Risk mitigation', [
    ['CC9.1', 'Risks from business disruption are identified and mitigated'],
    ['CC9.2', 'Risks from vendors and business partners are assessed and managed'],
  ]),
  ...family('A1 Availability', [
    ['A1.1', 'Processing capacity is monitored and planned to meet demand'],
    ['A1.2', 'Environmental protection, backup and recovery infrastructure are in place'],
    ['A1.3', 'Recovery plan procedures are tested'],
  ]),
  ...family('C1 Confidentiality', [
    ['C1.1', 'Confidential information is identified and kept confidential'],
    ['C1.2', 'Confidential information is disposed of when it is no longer needed'],
  ]),
  ...family('PI1 Processing integrity', [
    ['PI1.1', 'Information about processing objectives and data definitions is produced and used'],
    ['PI1.2', 'System inputs are complete and accurate'],
    ['PI1.3', 'Processing is complete, accurate and timely'],
    ['PI1.4', 'Outputs are complete, accurate and delivered only to intended parties'],
    ['PI1.5', 'Stored data is kept complete, accurate and protected'],
  ]),
  ...family('P Privacy', [
    ['P1.1', 'Data subjects are told about privacy practices'],
    ['P2.1', 'Choices and consent about personal information are communicated and recorded'],
    ['P3.1', 'Personal information is collected only for identified purposes'],
    ['P3.2', 'Explicit consent is obtained where required'],
    ['P4.1', 'Personal information is used only for identified purposes'],
    ['P4.2', 'Personal information is kept only as long as needed'],
    ['P4.3', 'Personal information is disposed of securely'],
    ['P5.1', 'Data subjects can access their personal information'],
    ['P5.2', 'Data subjects can have their personal information corrected'],
    ['P6.1', 'Personal information is disclosed to third parties only with consent or authority'],
    ['P6.2', 'Authorized disclosures are recorded'],
    ['P6.3', 'Unauthorized disclosures are recorded'],
    ['P6.4', 'Third parties receiving personal information are held to privacy commitments'],
    ['P6.5', 'Third parties report unauthorized disclosures'],
    ['P6.6', 'Affected data subjects are notified of breaches'],
    ['P6.7', 'Data subjects can learn what personal information is held and disclosed'],
    ['P7.1', 'Personal information is kept accurate and complete'],
    ['P8.1', 'Privacy inquiries, complaints and disputes are handled'],
  ]),
]);
