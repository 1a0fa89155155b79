import { RUNBOOK_ID } from '@osiris/protocol';
import { z } from 'zod';

/**
 * Declarative runbooks (issue 4): one file each, data plus scripts. The executor enforces every
 * flag; success means the repaired checks pass again afterwards, never just an exit code of 0.
 */

/**
 * A script: one text for every distribution, or variants by distribution family (the executor
 * picks by /etc/os-release ID and ID_LIKE; `default` when none matches). Linux scripts are POSIX
 * sh; Windows scripts are PowerShell that prints one JSON object.
 */
export const RunbookScript = z.union([
  z.string().min(1),
  z.strictObject({
    default: z.string().min(1),
    debian: z.string().min(1).optional(),
    rhel: z.string().min(1).optional(),
    suse: z.string().min(1).optional(),
  }),
]);
export type RunbookScript = z.infer<typeof RunbookScript>;

export const RunbookDefinition = z.strictObject({
  id: z.string().regex(RUNBOOK_ID, 'runbook ids are rb-<check id>'),
  title: z.string().min(1).max(120),
  description: z.string().min(1).max(600),
  platform: z.enum(['linux', 'windows']),
  /** Catalog check ids this runbook repairs; it succeeds only when all of them pass afterwards. */
  checks: z.array(z.string()).min(1).max(8),
  /** Parameters as a zod object with defaults; each value reaches the scripts as `P_<NAME>` (upper case), shell-quoted. */
  params: z.custom<z.ZodObject>((value) => value instanceof z.ZodObject, 'params must be a zod object'),
  /** Prints `needed=yes` or `needed=no`: whether remediation applies on this host. */
  detect: RunbookScript,
  /**
   * Makes the change. Must be idempotent. Exit code 3 means it cannot be applied on this host as it
   * is (a tool or service manager missing, the change rejected): the executor does not retry it.
   */
  remediate: RunbookScript,
  /** Optional extra verification beyond re-running the checks; prints `verified=yes` on success. */
  verify: RunbookScript.optional(),
  /** Undoes `remediate` from the state captured before it, when verification fails. */
  rollback: RunbookScript.optional(),
  /** Prints the state this runbook touches (files, settings) so before and after can be diffed. */
  captureState: RunbookScript,
  timeoutSeconds: z.number().int().min(1).max(3600),
  retries: z.strictObject({
    max: z.number().int().min(0).max(5),
    /** Delay before retry n is backoffSeconds * 2^(n-1). */
    backoffSeconds: z.number().min(0).max(300),
  }),
  /** Stops or restarts something people use (a service, a connection): only with explicit approval. */
  disruptive: z.boolean(),
  requiresMaintenanceWindow: z.boolean(),
  requiresReboot: z.boolean(),
  /** Whether it may run while another runbook runs on the same host. */
  allowConcurrent: z.boolean(),
});
export type RunbookDefinition = z.infer<typeof RunbookDefinition>;
