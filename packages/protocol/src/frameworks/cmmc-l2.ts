import { NIST_800_171_CONTROLS_A } from './nist-800-171';
import { NIST_800_171_CONTROLS_B } from './nist-800-171-b';
import type { FrameworkControl } from './schema';

/** CMMC 2.0 domain abbreviation for each NIST SP 800-171 Rev. 2 family number. */
const CMMC_DOMAINS: Readonly<Record<string, { code: string; name: string }>> = Object.freeze({
  '1': { code: 'AC', name: 'Access Control' },
  '2': { code: 'AT', name: 'Awareness and Training' },
  '3': { code: 'AU', name: 'Audit and Accountability' },
  '4': { code: 'CM', name: 'Configuration Management' },
  '5': { code: 'IA', name: 'Identification and Authentication' },
  '6': { code: 'IR', name: 'Incident Response' },
  '7': { code: 'MA', name: 'Maintenance' },
  '8': { code: 'MP', name: 'Media Protection' },
  '9': { code: 'PS', name: 'Personnel Security' },
  '10': { code: 'PE', name: 'Physical Protection' },
  '11': { code: 'RA', name: 'Risk Assessment' },
  '12': { code: 'CA', name: 'Security Assessment' },
  '13': { code: 'SC', name: 'System and Communications Protection' },
  '14': { code: 'SI', name: 'System and Information Integrity' },
});

const domainOf = (nistId: string) => {
  const domain = CMMC_DOMAINS[nistId.split('.')[1] ?? ''];
  if (!domain) throw new Error(`no CMMC domain for NIST SP 800-171 requirement ${nistId}`);
  return domain;
};

/** The CMMC Level 2 practice id for a NIST SP 800-171 Rev. 2 requirement: `3.1.1` → `AC.L2-3.1.1`. */
export const cmmcPracticeId = (nistId: string): string => `${domainOf(nistId).code}.L2-${nistId}`;

/**
 * CMMC 2.0 Level 2: one practice per NIST SP 800-171 Rev. 2 requirement (110), same numbering under the CMMC domain
 * code. Level 2 assesses all 110, including the 17 that also form Level 1.
 */
export const CMMC_L2_CONTROLS: readonly FrameworkControl[] = Object.freeze(
  [...NIST_800_171_CONTROLS_A, ...NIST_800_171_CONTROLS_B].map((requirement) => {
    const domain = domainOf(requirement.id);
    return {
      framework: 'cmmc-l2' as const,
      id: cmmcPracticeId(requirement.id),
      title: requirement.title,
      family: `${domain.code} ${domain.name}`,
      description: `Assesses NIST SP 800-171 requirement ${requirement.id}.`,
    };
  }),
);
