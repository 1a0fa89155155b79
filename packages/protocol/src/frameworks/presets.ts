import type { Framework, IndustryPreset } from './schema';

/** The ten frameworks, in display order. Descriptions are ours. */
export const FRAMEWORKS: readonly Framework[] = Object.freeze([
  {
    id: 'hipaa',
    name: 'HIPAA Security Rule',
    version: '45 CFR 164 Subpart C (2013)',
    description:
      'US rule for protecting electronic health information: administrative, physical and technical safeguards.',
  },
  {
    id: 'soc2',
    name: 'SOC 2',
    version: 'TSC 2017 (2022 points of focus)',
    description:
      'AICPA criteria for service organizations: security, availability, confidentiality, integrity, privacy.',
  },
  {
    id: 'pci-dss-4',
    name: 'PCI DSS',
    version: '4.0',
    description: 'Card industry requirements for anyone who stores, processes or transmits payment card data.',
  },
  {
    id: 'nist-csf-2',
    name: 'NIST Cybersecurity Framework',
    version: '2.0',
    description: 'Voluntary outcome-based framework: govern, identify, protect, detect, respond, recover.',
  },
  {
    id: 'nist-800-171',
    name: 'NIST SP 800-171',
    version: 'Rev. 2',
    description: 'Requirements for protecting controlled unclassified information in non-federal systems.',
  },
  {
    id: 'sox-itgc',
    name: 'SOX IT general controls',
    version: 'OsirisCare 1',
    description: 'IT controls auditors test under Sarbanes-Oxley: access, program changes, development, operations.',
  },
  {
    id: 'gdpr-32',
    name: 'GDPR security of processing',
    version: 'Regulation (EU) 2016/679',
    description:
      'EU rules on securing personal data (Art. 32) with related principles, design duties and breach notice.',
  },
  {
    id: 'cmmc-l2',
    name: 'CMMC Level 2',
    version: '2.0',
    description: 'US defense supplier certification; Level 2 assesses the 110 NIST SP 800-171 requirements.',
  },
  {
    id: 'iso-27001-2022',
    name: 'ISO/IEC 27001 Annex A',
    version: '2022',
    description: 'International information security management standard; Annex A lists 93 reference controls.',
  },
  {
    id: 'cis-v8',
    name: 'CIS Critical Security Controls',
    version: '8',
    description: 'Prioritized safeguards against common attacks, grouped into implementation groups 1 to 3.',
  },
]);

/** Industry starting points for a site's frameworks; partners may choose others per site. */
export const PRESETS: readonly IndustryPreset[] = Object.freeze([
  {
    id: 'healthcare',
    name: 'Healthcare practice',
    description: 'Medical practices: HIPAA, SOC 2 for vendor-grade assurance, PCI DSS for card payments at the desk.',
    frameworks: ['hipaa', 'soc2', 'pci-dss-4'],
  },
  {
    id: 'dental',
    name: 'Dental practice',
    description: 'Small dental offices: HIPAA, PCI DSS for patient payments, CIS Controls as a practical baseline.',
    frameworks: ['hipaa', 'pci-dss-4', 'cis-v8'],
  },
  {
    id: 'behavioral-health',
    name: 'Behavioral health',
    description: 'Mental health and substance use providers: HIPAA and SOC 2, with NIST CSF for incident readiness.',
    frameworks: ['hipaa', 'soc2', 'nist-csf-2'],
  },
  {
    id: 'eu-clinic',
    name: 'EU clinic',
    description: 'Clinics under the GDPR: Article 32 security, ISO 27001 controls, CIS Controls for hardening.',
    frameworks: ['gdpr-32', 'iso-27001-2022', 'cis-v8'],
  },
  {
    id: 'finance',
    name: 'Financial services',
    description: 'Accounting and financial firms: SOC 2, SOX IT general controls, PCI DSS and NIST CSF.',
    frameworks: ['soc2', 'sox-itgc', 'pci-dss-4', 'nist-csf-2'],
  },
  {
    id: 'defense-contractor',
    name: 'Defense contractor',
    description: 'Suppliers handling controlled unclassified information: CMMC Level 2 and NIST SP 800-171.',
    frameworks: ['cmmc-l2', 'nist-800-171'],
  },
  {
    id: 'saas',
    name: 'Software and services',
    description: 'Technology and service companies: SOC 2 and ISO 27001.',
    frameworks: ['soc2', 'iso-27001-2022'],
  },
  {
    id: 'retail',
    name: 'Retail',
    description: 'Shops taking card payments: PCI DSS with CIS Controls.',
    frameworks: ['pci-dss-4', 'cis-v8'],
  },
  {
    id: 'general',
    name: 'General business',
    description: 'Any small business: CIS Controls and NIST CSF.',
    frameworks: ['cis-v8', 'nist-csf-2'],
  },
]);
