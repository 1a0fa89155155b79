import type { FrameworkControl } from './schema';

type Row = readonly [id: string, title: string, requirement: 'required' | 'addressable', description: string];

const family = (name: string, rows: readonly Row[]): FrameworkControl[] =>
  rows.map(([id, title, requirement, description]) => ({
    framework: 'hipaa',
    id,
    title,
    family: name,
    description,
    requirement,
  }));

/**
 * HIPAA Security Rule (45 CFR 164 Subpart C): every standard and every implementation specification.
 * Titles are the regulation's short names (public domain, and the same as `HIPAA_CONTROLS` in the catalog, so a
 * citation reads the same everywhere); descriptions are ours. A standard is always required; where a standard has
 * implementation specifications both are listed, because checks cite either.
 */
export const HIPAA_FRAMEWORK_CONTROLS: readonly FrameworkControl[] = Object.freeze([
  ...family('Administrative safeguards (164.308)', [
    [
      '164.308(a)(1)(i)',
      'Security management process',
      'required',
      'Prevent, find, contain and fix security violations.',
    ],
    [
      '164.308(a)(1)(ii)(A)',
      'Risk analysis',
      'required',
      'Assess the risks to the confidentiality, integrity and availability of ePHI.',
    ],
    [
      '164.308(a)(1)(ii)(B)',
      'Risk management',
      'required',
      'Put measures in place that bring the identified risks down to a reasonable level.',
    ],
    ['164.308(a)(1)(ii)(C)', 'Sanction policy', 'required', 'Apply sanctions to staff who break security policies.'],
    [
      '164.308(a)(1)(ii)(D)',
      'Information system activity review',
      'required',
      'Regularly review audit logs, access reports and incident records.',
    ],
    [
      '164.308(a)(2)',
      'Assigned security responsibility',
      'required',
      'Name one security official responsible for the security program.',
    ],
    [
      '164.308(a)(3)(i)',
      'Workforce security',
      'required',
      'Give staff the ePHI access their job needs and keep everyone else out.',
    ],
    [
      '164.308(a)(3)(ii)(A)',
      'Authorization and/or supervision',
      'addressable',
      'Authorize or supervise staff who work with ePHI.',
    ],
    [
      '164.308(a)(3)(ii)(B)',
      'Workforce clearance procedure',
      'addressable',
      'Decide whether a person’s access to ePHI is appropriate before granting it.',
    ],
    [
      '164.308(a)(3)(ii)(C)',
      'Termination procedures',
      'addressable',
      'End access promptly when employment or the need for access ends.',
    ],
    ['164.308(a)(4)(i)', 'Information access management', 'required', 'Have policies for authorizing access to ePHI.'],
    [
      '164.308(a)(4)(ii)(A)',
      'Isolating health care clearinghouse functions',
      'required',
      'Keep clearinghouse ePHI apart from the rest of a larger organization.',
    ],
    [
      '164.308(a)(4)(ii)(B)',
      'Access authorization',
      'addressable',
      'Decide and record how access to systems holding ePHI is granted.',
    ],
    [
      '164.308(a)(4)(ii)(C)',
      'Access establishment and modification',
      'addressable',
      'Set up, review and change user access rights under those policies.',
    ],
    [
      '164.308(a)(5)(i)',
      'Security awareness and training',
      'required',
      'Run a security awareness and training program for all staff.',
    ],
    [
      '164.308(a)(5)(ii)(A)',
      'Security reminders',
      'addressable',
      'Send staff periodic security updates and reminders.',
    ],
    [
      '164.308(a)(5)(ii)(B)',
      'Protection from malicious software',
      'addressable',
      'Guard against, detect and report malicious software.',
    ],
    ['164.308(a)(5)(ii)(C)', 'Log-in monitoring', 'addressable', 'Watch log-in attempts and report discrepancies.'],
    ['164.308(a)(5)(ii)(D)', 'Password management', 'addressable', 'Create, change and protect passwords properly.'],
    ['164.308(a)(6)(i)', 'Security incident procedures', 'required', 'Have policies for handling security incidents.'],
    [
      '164.308(a)(6)(ii)',
      'Response and reporting',
      'required',
      'Identify, respond to, mitigate and document security incidents.',
    ],
    ['164.308(a)(7)(i)', 'Contingency plan', 'required', 'Plan for emergencies that damage systems holding ePHI.'],
    ['164.308(a)(7)(ii)(A)', 'Data backup plan', 'required', 'Keep retrievable exact copies of ePHI.'],
    ['164.308(a)(7)(ii)(B)', 'Disaster recovery plan', 'required', 'Be able to restore lost data.'],
    [
      '164.308(a)(7)(ii)(C)',
      'Emergency mode operation plan',
      'required',
      'Keep critical processes and ePHI protection running during an emergency.',
    ],
    [
      '164.308(a)(7)(ii)(D)',
      'Testing and revision procedures',
      'addressable',
      'Test and revise the contingency plans periodically.',
    ],
    [
      '164.308(a)(7)(ii)(E)',
      'Applications and data criticality analysis',
      'addressable',
      'Rank applications and data by how critical they are to recovery.',
    ],
    [
      '164.308(a)(8)',
      'Evaluation',
      'required',
      'Periodically evaluate how well safeguards meet the rule, also after changes.',
    ],
    [
      '164.308(b)(1)',
      'Business associate contracts and other arrangements',
      'required',
      'Get assurances from business associates that they safeguard ePHI.',
    ],
    [
      '164.308(b)(3)',
      'Written contract or other arrangement',
      'required',
      'Document those assurances in a written contract or equivalent.',
    ],
  ]),
  ...family('Physical safeguards (164.310)', [
    [
      '164.310(a)(1)',
      'Facility access controls',
      'required',
      'Limit physical access to systems and the places that house them.',
    ],
    [
      '164.310(a)(2)(i)',
      'Contingency operations',
      'addressable',
      'Allow facility access to restore data during an emergency.',
    ],
    [
      '164.310(a)(2)(ii)',
      'Facility security plan',
      'addressable',
      'Protect the facility and equipment from unauthorized access, tampering and theft.',
    ],
    [
      '164.310(a)(2)(iii)',
      'Access control and validation procedures',
      'addressable',
      'Control and validate people’s physical access by role.',
    ],
    [
      '164.310(a)(2)(iv)',
      'Maintenance records',
      'addressable',
      'Record repairs and changes to physical security components.',
    ],
    ['164.310(b)', 'Workstation use', 'required', 'Define how workstations that access ePHI are used and where.'],
    ['164.310(c)', 'Workstation security', 'required', 'Physically protect workstations that access ePHI.'],
    [
      '164.310(d)(1)',
      'Device and media controls',
      'required',
      'Control hardware and media holding ePHI as it moves in, out and around.',
    ],
    ['164.310(d)(2)(i)', 'Disposal', 'required', 'Dispose of ePHI and the media holding it safely.'],
    ['164.310(d)(2)(ii)', 'Media re-use', 'required', 'Remove ePHI from media before it is reused.'],
    [
      '164.310(d)(2)(iii)',
      'Accountability',
      'addressable',
      'Record movements of hardware and media and who is responsible.',
    ],
    [
      '164.310(d)(2)(iv)',
      'Data backup and storage',
      'addressable',
      'Make a retrievable copy of ePHI before equipment is moved.',
    ],
  ]),
  ...family('Technical safeguards (164.312)', [
    [
      '164.312(a)(1)',
      'Access control',
      'required',
      'Let only authorized people and programs reach systems holding ePHI.',
    ],
    [
      '164.312(a)(2)(i)',
      'Unique user identification',
      'required',
      'Give every user a unique name or number so actions can be traced.',
    ],
    [
      '164.312(a)(2)(ii)',
      'Emergency access procedure',
      'required',
      'Be able to reach needed ePHI during an emergency.',
    ],
    ['164.312(a)(2)(iii)', 'Automatic logoff', 'addressable', 'End idle electronic sessions after a set time.'],
    ['164.312(a)(2)(iv)', 'Encryption and decryption', 'addressable', 'Encrypt ePHI where it is stored.'],
    ['164.312(b)', 'Audit controls', 'required', 'Record and examine activity on systems holding ePHI.'],
    ['164.312(c)(1)', 'Integrity', 'required', 'Protect ePHI from improper change or destruction.'],
    [
      '164.312(c)(2)',
      'Mechanism to authenticate electronic protected health information',
      'addressable',
      'Be able to show ePHI has not been altered or destroyed.',
    ],
    [
      '164.312(d)',
      'Person or entity authentication',
      'required',
      'Verify that whoever seeks access is who they claim to be.',
    ],
    ['164.312(e)(1)', 'Transmission security', 'required', 'Protect ePHI sent over networks.'],
    [
      '164.312(e)(2)(i)',
      'Integrity controls',
      'addressable',
      'Make sure ePHI in transit cannot be changed undetected.',
    ],
    ['164.312(e)(2)(ii)', 'Encryption', 'addressable', 'Encrypt ePHI in transit where appropriate.'],
  ]),
  ...family('Organizational requirements (164.314)', [
    [
      '164.314(a)(1)',
      'Business associate contracts or other arrangements',
      'required',
      'Contracts with business associates must meet the rule’s terms.',
    ],
    [
      '164.314(a)(2)(i)',
      'Business associate contracts',
      'required',
      'The contract binds the associate to safeguard ePHI and report incidents.',
    ],
    [
      '164.314(a)(2)(ii)',
      'Other arrangements',
      'required',
      'Use equivalent arrangements where both parties are government entities.',
    ],
    [
      '164.314(a)(2)(iii)',
      'Business associate contracts with subcontractors',
      'required',
      'The same terms flow down to subcontractors.',
    ],
    [
      '164.314(b)(1)',
      'Requirements for group health plans',
      'required',
      'Plan documents make the sponsor safeguard ePHI.',
    ],
    [
      '164.314(b)(2)',
      'Implementation specifications',
      'required',
      'The plan documents state the sponsor’s specific obligations.',
    ],
  ]),
  ...family('Policies, procedures and documentation (164.316)', [
    [
      '164.316(a)',
      'Policies and procedures',
      'required',
      'Adopt reasonable written policies and procedures to comply.',
    ],
    ['164.316(b)(1)', 'Documentation', 'required', 'Keep policies, actions and assessments in writing.'],
    ['164.316(b)(2)(i)', 'Time limit', 'required', 'Keep the documentation for six years.'],
    ['164.316(b)(2)(ii)', 'Availability', 'required', 'Make the documentation available to those who implement it.'],
    ['164.316(b)(2)(iii)', 'Updates', 'required', 'Review and update the documentation periodically.'],
  ]),
]);
