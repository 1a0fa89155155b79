import { z } from 'zod';
import { text } from '../common';

/**
 * Check ids: lower-case dotted path, platform first, words inside a segment joined by '-'.
 * Stable forever once shipped (evidence, exceptions and scores refer to them).
 * Example: `linux.ssh.permit-root-login`.
 */
export const CHECK_ID = /^(?:linux|windows|macos|network|appliance)(?:\.[a-z0-9]+(?:-[a-z0-9]+)*){2,3}$/;

/**
 * A HIPAA Security Rule citation in 45 CFR Part 164, Subpart C, written as in the regulation
 * without the section sign: `164.312(a)(2)(iv)`, `164.312(b)`, `164.308(a)(1)(ii)(D)`.
 */
export const HIPAA_SPEC_ID =
  /^164\.3(?:0[68]|1[0246])\([a-e]\)(?:\(\d{1,2}\))?(?:\((?:i|ii|iii|iv|v)\))?(?:\([A-E]\))?$/;

/** AICPA 2017 Trust Services Criteria: common criteria `CC6.1`, or category criteria `A1.2`, `C1.1`, `PI1.3`, `P4.2`. */
const SOC2_CRITERION = /^(?:CC[1-9]\.\d{1,2}|A1\.\d|C1\.\d|PI1\.\d|P[1-8]\.\d)$/;

/** NIST SP 800-53 Rev. 5 control or control enhancement: `AC-17`, `AC-17(2)`. */
const NIST_80053_CONTROL = /^[A-Z]{2}-\d{1,2}(?:\(\d{1,2}\))?$/;

/**
 * CIS reference. Either a recommendation (or section) number of the platform's CIS Benchmark
 * (Linux: {@link CIS_REFERENCES}.linuxBenchmark, e.g. `5.2.7`; Windows:
 * {@link CIS_REFERENCES}.windowsBenchmark, e.g. `9.1.1`, or a section such as `2.3.11` where
 * recommendation numbers differ between benchmark versions), or — only where that benchmark
 * has no recommendation for the topic — a CIS Critical Security Controls v8 safeguard written
 * `CSC 3.11`.
 */
const CIS_REFERENCE = /^(?:\d{1,2}(?:\.\d{1,2}){0,4}|CSC \d{1,2}\.\d{1,2})$/;

/** Which documents the `cis` mappings refer to, for display next to the numbers. */
export const CIS_REFERENCES = {
  linuxBenchmark: 'CIS Ubuntu Linux 22.04 LTS Benchmark v1.0.0',
  windowsBenchmark: 'CIS Microsoft Windows Server 2022 Benchmark',
  controls: 'CIS Critical Security Controls v8',
} as const;

export const Severity = z.enum(['critical', 'high', 'medium', 'low']);
export type Severity = z.infer<typeof Severity>;

/** Where a check runs. `appliance` = the appliance itself; `network` = posture probes from the appliance. */
export const CheckPlatform = z.enum(['linux', 'windows', 'macos', 'network', 'appliance']);
export type CheckPlatform = z.infer<typeof CheckPlatform>;

export const HipaaSpecId = z.string().regex(HIPAA_SPEC_ID, 'not a 45 CFR 164 Security Rule citation');
export type HipaaSpecId = z.infer<typeof HipaaSpecId>;

export const HipaaSafeguard = z.enum(['administrative', 'physical', 'technical']);
export type HipaaSafeguard = z.infer<typeof HipaaSafeguard>;

/**
 * One HIPAA Security Rule standard or implementation specification. Standards that have no
 * separate implementation specifications (e.g. 164.312(b) Audit controls) are cited directly;
 * they are `required` by definition.
 */
export const HipaaControl = z.strictObject({
  id: HipaaSpecId,
  /** Title as printed in the regulation, e.g. "Encryption and decryption". */
  title: text(120),
  safeguard: HipaaSafeguard,
  kind: z.enum(['standard', 'implementation_specification']),
  requirement: z.enum(['required', 'addressable']),
  /** The standard this belongs to (its own id when `kind` is `standard`). */
  standardId: HipaaSpecId,
  standardTitle: text(120),
});
export type HipaaControl = z.infer<typeof HipaaControl>;

const refs = (pattern: RegExp, what: string) =>
  z
    .array(z.string().regex(pattern, `not a ${what} reference`))
    .max(12)
    .refine((items) => new Set(items).size === items.length, 'duplicate reference');

export const CheckMappings = z.strictObject({
  soc2: refs(SOC2_CRITERION, 'SOC 2 criterion'),
  nist80053: refs(NIST_80053_CONTROL, 'NIST SP 800-53 Rev. 5'),
  cis: refs(CIS_REFERENCE, 'CIS'),
});
export type CheckMappings = z.infer<typeof CheckMappings>;

/**
 * A check as shown to people and recorded in evidence: what it verifies and which controls it
 * evidences. Collectors and evaluators live with the runner (appliance, agent), keyed by `id`.
 */
export const CheckDefinition = z.strictObject({
  id: z.string().max(100).regex(CHECK_ID, 'malformed check id'),
  platform: CheckPlatform,
  title: text(120),
  /** What is checked and why, one or two sentences. */
  description: text(500),
  severity: Severity,
  /** HIPAA Security Rule citations this check evidences; each must be in the control catalog. */
  hipaa: z
    .array(HipaaSpecId)
    .min(1)
    .max(8)
    .refine((items) => new Set(items).size === items.length, 'duplicate citation'),
  mappings: CheckMappings,
  defaultIntervalSeconds: z.number().int().min(60).max(86_400),
  /** Short human text: what to change to pass. */
  remediation: text(400),
  /** Whether a safe automatic fix exists (one that cannot lock people out or stop services that are in use). */
  healable: z.boolean(),
});
export type CheckDefinition = z.infer<typeof CheckDefinition>;
