/**
 * A drift recipe for one catalog check on a lab host: how to put a fresh host into a known
 * state, and how to break it so the check must fail. Scripts are POSIX sh run as root inside
 * the lab host; they must never break root's SSH key login (the appliance reaches hosts that way).
 */
type LabVerdict = 'pass' | 'fail' | 'error';

export interface LabDrift {
  /** Catalog id, e.g. `linux.ssh.permit-root-login`. */
  readonly checkId: string;
  /** sh script putting the lab host into a known-passing state (omitted when a fresh host already is). */
  readonly harden?: string;
  /** sh script making the check fail (omitted, with a comment why, when that cannot be done in a lab host). */
  readonly drift?: string;
  /** The verdict on a fresh lab host after `harden` (or without `harden` when there is none). */
  readonly baseline: LabVerdict;
}
