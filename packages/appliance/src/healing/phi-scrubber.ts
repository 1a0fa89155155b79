import { isIPv6 } from 'node:net';

/**
 * PHI scrubber: everything that leaves the appliance for an LLM (and L2 decisions kept as
 * evidence) passes through it. Patterns follow the earlier agent (reference §13.1) with fewer
 * false positives on machine output: bare 5- or 9-digit numbers (inodes, sizes, ports) are not
 * redacted unless a label or context says what they are, because over-redacting check output
 * makes the L2 planner blind. Each match becomes a typed placeholder `[REDACTED:<type>]`.
 */

const PHI_TYPES = [
  'mrn',
  'patient_id',
  'account_number',
  'insurance_id',
  'medicare',
  'drivers_license',
  'dob',
  'patient_name',
  'email',
  'credit_card',
  'ssn',
  'phone',
  'address',
  'zip',
  'ipv4',
  'ipv6',
] as const;
export type PhiType = (typeof PHI_TYPES)[number];

type PhiCounts = Partial<Record<PhiType, number>>;

export interface PhiScrubOptions {
  /**
   * IP addresses are identifiers under HIPAA Safe Harbor, but the appliance's own targets are
   * infrastructure, not patients, and firewall checks are meaningless without them: off unless
   * the site configures it.
   */
  redactIpAddresses?: boolean;
}

export interface PhiScrubResult<T> {
  value: T;
  counts: PhiCounts;
  total: number;
}

const placeholder = (type: PhiType): string => `[REDACTED:${type}]`;

interface Pattern {
  type: PhiType;
  regex: RegExp;
  /** When present, only group `value` is replaced; the label in `label` is kept for readability. */
  labelled?: boolean;
  /** Extra check on the matched value; a match that fails it stays as it is. */
  accept?: (value: string) => boolean;
  ipOnly?: boolean;
}

/** A label, then optional `:`, `=`, `#` or `-` separators (`MRN: 123`, `mrn=123`, `MRN #123`). */
const SEP = String.raw`\s*[:=#-]?\s*`;

function labelled(type: PhiType, label: string, value: string, sep = SEP, flags = 'gi'): Pattern {
  return {
    type,
    regex: new RegExp(String.raw`(?<label>\b(?:${label})${sep})(?<value>${value})`, flags),
    labelled: true,
  };
}

/** Makes a pattern's letters match either case, for a regex whose other parts must stay case-sensitive. */
function anyCase(pattern: string): string {
  return pattern.replace(/\\.|[a-z]/gi, (c) => (c.length === 1 ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c));
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const STREET_SUFFIXES = [
  'Street',
  'St',
  'Avenue',
  'Ave',
  'Road',
  'Rd',
  'Boulevard',
  'Blvd',
  'Drive',
  'Dr',
  'Lane',
  'Ln',
  'Court',
  'Ct',
  'Place',
  'Pl',
  'Way',
  'Circle',
  'Cir',
  'Terrace',
  'Ter',
  'Parkway',
  'Pkwy',
  'Highway',
  'Hwy',
];
// Title or upper case only: lower-case prose in check output ("3 errors on drive C") is not an address.
const SUFFIX = STREET_SUFFIXES.flatMap((s) => [s, s.toUpperCase()]).join('|');
const STATES =
  'AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR';
const MONTHS =
  'Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?';
const DATE = String.raw`(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|(?:${MONTHS})\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+(?:${MONTHS})\.?\s+\d{4})`;
/**
 * A capitalised name of one to four parts: `John Smith`, `O'Brien, Mary`, `Jane Q. Public`. Parts
 * after the first are title case or an initial, so a following label (`, SSN 123…`) stays readable.
 */
const NAME = String.raw`[A-Z][A-Za-z'-]+(?:,?[ \t]+[A-Z](?:[a-z'][A-Za-z'-]*|\.)?(?![A-Za-z])){0,3}`;

/** Order matters: labelled identifiers first, so their digits are not taken by phone or SSN. */
const PATTERNS: Pattern[] = [
  labelled('mrn', String.raw`MRN|medical[ _]record(?:[ _](?:number|no\.?|#))?`, String.raw`[A-Z]{0,3}\d{4,12}\b`),
  labelled('patient_id', 'patient[ _-]?id', String.raw`\w{4,20}\b`),
  labelled('account_number', String.raw`account[ _]?(?:number|num|no\.?|#)`, String.raw`\d[\d-]{4,18}\d\b`),
  labelled(
    'insurance_id',
    String.raw`(?:insurance|policy|member|subscriber|group)[ _]?(?:id|number|no\.?|#)`,
    String.raw`[A-Z0-9][A-Z0-9-]{3,18}[A-Z0-9]\b`,
  ),
  labelled(
    'medicare',
    String.raw`(?:medicare|medicaid|MBI|HICN)(?:[ _]?(?:id|number|no\.?|#))?`,
    String.raw`[A-Z0-9][A-Z0-9-]{6,13}[A-Z0-9]\b`,
  ),
  // A bare "DL" needs an explicit separator: "DL" alone appears in unrelated text (DLL, download).
  labelled(
    'drivers_license',
    String.raw`DL(?=\s*[:#=])|driver'?s?[ _]licen[cs]e(?:[ _](?:number|no\.?|#))?`,
    String.raw`[A-Z0-9][A-Z0-9-]{4,13}[A-Z0-9]\b`,
  ),
  labelled('dob', String.raw`DOB|D\.O\.B\.|date[ _]of[ _]birth|birth[ _]?date|born(?:[ _]on)?`, DATE),
  labelled(
    'patient_name',
    anyCase('patient(?:[ _]name)?|pt[ _]name|resident|guarantor|subscriber|insured|member[ _]name|full[ _]name'),
    NAME,
    String.raw`\s*[:=]\s*`,
    // The label's case is free, the name's is not: with `i`, NAME would take "sshd restarted".
    'g',
  ),
  { type: 'email', regex: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g },
  {
    type: 'credit_card',
    // 13-19 digits, optionally grouped; issuer prefixes 2-6 keep millisecond timestamps (17…) out.
    regex: /(?<![\d.-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\d.-]?\d)/g,
    accept: (value) => luhnValid(value.replace(/\D/g, '')),
  },
  // Separators required (and consistent): a bare 9-digit number is far more often a size or an id.
  { type: 'ssn', regex: /(?<![\d.-])\d{3}(?<sep>[- ])\d{2}\k<sep>\d{4}(?![\d.-]?\d)/g },
  labelled('ssn', String.raw`SSN|social[ _]security(?:[ _](?:number|no\.?|#))?`, String.raw`\d{9}\b`),
  {
    type: 'phone',
    // Separated US numbers only; the guards reject version strings such as 10.0.19045.1234.
    regex: /(?<![\w.-])(?:\+?1[-. ]?)?(?:\(\d{3}\)[ ]?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\w-]|\.\d)/g,
  },
  labelled('phone', 'phone|tel|telephone|fax|mobile|cell', String.raw`\+?1?\d{10}\b`),
  {
    type: 'address',
    regex: new RegExp(
      String.raw`\b\d{1,5}[ \t]+(?:(?:[A-Z][A-Za-z'.-]*|\d+(?:st|nd|rd|th))[ \t]+){1,4}(?:${SUFFIX})\b\.?(?:,?[ \t]*(?:Apt|Suite|Ste|Unit|#)\.?[ \t]*[\w-]+)?`,
      'g',
    ),
  },
  labelled('zip', 'zip(?:[ _]?code)?|postal[ _]code', String.raw`\d{5}(?:-\d{4})?\b`),
  {
    type: 'zip',
    regex: new RegExp(String.raw`(?<label>,[ \t]*(?:${STATES})[ \t]+)(?<value>\d{5}(?:-\d{4})?)\b`, 'g'),
    labelled: true,
  },
  {
    type: 'ipv4',
    regex: /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)/g,
    ipOnly: true,
  },
  {
    type: 'ipv6',
    // Candidates only; node's parser decides, which keeps times (12:34:56) and MACs out.
    regex: /(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g,
    accept: (value) => isIPv6(value) && /[1-9A-Fa-f]/.test(value),
    ipOnly: true,
  },
];

/** Field names whose whole value is PHI, whatever it looks like (`{ "ssn": 123456789 }`). */
const KEY_TYPES: [RegExp, PhiType][] = [
  [/^(?:ssn|social[_-]?security(?:[_-]?(?:number|no))?)$/i, 'ssn'],
  [/^(?:mrn|medical[_-]?record(?:[_-]?(?:number|no))?)$/i, 'mrn'],
  [/^patient[_-]?id$/i, 'patient_id'],
  [/^(?:dob|date[_-]?of[_-]?birth|birth[_-]?date)$/i, 'dob'],
  [/^(?:patient|patient[_-]?name|full[_-]?name|first[_-]?name|last[_-]?name)$/i, 'patient_name'],
  [/^(?:e[_-]?mail|email[_-]?address)$/i, 'email'],
  [/^(?:phone|phone[_-]?number|telephone|mobile|fax)$/i, 'phone'],
  [/^(?:street|street[_-]?address|address[_-]?line[_-]?\d?|home[_-]?address)$/i, 'address'],
];

function bump(counts: PhiCounts, type: PhiType, by = 1): void {
  counts[type] = (counts[type] ?? 0) + by;
}

function scrubInto(text: string, counts: PhiCounts, options: PhiScrubOptions): string {
  let out = text;
  for (const pattern of PATTERNS) {
    if (pattern.ipOnly && !options.redactIpAddresses) continue;
    out = out.replace(pattern.regex, (...args: unknown[]) => {
      const match = args[0] as string;
      const groups = args.at(-1) as Record<string, string | undefined> | undefined;
      const value = pattern.labelled ? (groups?.value ?? match) : match;
      if (pattern.accept && !pattern.accept(value)) return match;
      bump(counts, pattern.type);
      return pattern.labelled ? `${groups?.label ?? ''}${placeholder(pattern.type)}` : placeholder(pattern.type);
    });
  }
  return out;
}

function total(counts: PhiCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
}

/** Scrubs one string. */
export function scrubPhiText(text: string, options: PhiScrubOptions = {}): PhiScrubResult<string> {
  const counts: PhiCounts = {};
  const value = scrubInto(text, counts, options);
  return { value, counts, total: total(counts) };
}

function keyType(key: string): PhiType | undefined {
  return KEY_TYPES.find(([regex]) => regex.test(key))?.[1];
}

function scrubNode(node: unknown, counts: PhiCounts, options: PhiScrubOptions, depth: number): unknown {
  // Check output is bounded, but a cycle or absurd nesting must not hang the healing engine.
  if (depth > 64) return '[REDACTED:too_deep]';
  if (typeof node === 'string') return scrubInto(node, counts, options);
  if (Array.isArray(node)) return node.map((item) => scrubNode(item, counts, options, depth + 1));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const scrubbedKey = scrubInto(key, counts, options);
      const type = keyType(key);
      if (type && (typeof child === 'string' || typeof child === 'number') && child !== '') {
        bump(counts, type);
        out[scrubbedKey] = placeholder(type);
      } else {
        out[scrubbedKey] = scrubNode(child, counts, options, depth + 1);
      }
    }
    return out;
  }
  return node;
}

/**
 * Scrubs every string (and object key) in a JSON value, recursively; values under PHI field
 * names (`ssn`, `dob`, `patient_name`, …) are replaced whole. The input is not modified.
 */
export function scrubPhi<T>(value: T, options: PhiScrubOptions = {}): PhiScrubResult<T> {
  const counts: PhiCounts = {};
  const scrubbed = scrubNode(value, counts, options, 0) as T;
  return { value: scrubbed, counts, total: total(counts) };
}
