import { type FrameworkControl, type ControlRow, rowsToControls } from './schema';

const family = (name: string, rows: readonly ControlRow[]): FrameworkControl[] => rowsToControls('gdpr-32', name, rows);

/**
 * GDPR security of processing: Article 32 paragraph by paragraph, with the closely related integrity and
 * confidentiality principle (5(1)(f)), data protection by design and default (25) and breach notification (33).
 * Titles and descriptions are our paraphrases.
 */
export const GDPR_32_CONTROLS: readonly FrameworkControl[] = Object.freeze([
  ...family('Art. 5 Principles', [
    ['5(1)(f)', 'Integrity and confidentiality', 'Personal data is processed with appropriate security.'],
  ]),
  ...family('Art. 25 Data protection by design and by default', [
    ['25(1)', 'Data protection by design', 'Protective measures are built into systems and processes.'],
    ['25(2)', 'Data protection by default', 'Defaults limit processing and access to what is necessary.'],
  ]),
  ...family('Art. 32 Security of processing', [
    ['32(1)(a)', 'Pseudonymisation and encryption', 'Personal data is pseudonymised or encrypted where appropriate.'],
    [
      '32(1)(b)',
      'Confidentiality, integrity, availability and resilience',
      'Systems keep data confidential, intact, available and resilient.',
    ],
    ['32(1)(c)', 'Timely restoration after an incident', 'Access to data can be restored quickly after an incident.'],
    [
      '32(1)(d)',
      'Regular testing of security measures',
      'The effectiveness of measures is tested and evaluated on a schedule.',
    ],
    [
      '32(2)',
      'Risk-based level of security',
      'Security reflects the risks of destruction, loss, alteration or disclosure.',
    ],
    ['32(4)', 'Processing only on instruction', 'People with access process personal data only as instructed.'],
  ]),
  ...family('Art. 33 Breach notification', [
    ['33(1)', 'Notify the supervisory authority', 'Report a breach to the authority within 72 hours where required.'],
    ['33(2)', 'Processor informs the controller', 'A processor tells the controller of a breach without delay.'],
    ['33(5)', 'Document breaches', 'Record every breach, its effects and the remedial action taken.'],
  ]),
]);
