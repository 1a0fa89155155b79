import type { Config } from '../../config';
import { createRfc3161Timestamper, type Timestamper } from './rfc3161-timestamper';
import { readTrustBundle } from './trust-bundle';

export { createRfc3161Timestamper, TimestampError, type Timestamper } from './rfc3161-timestamper';

/**
 * The configured RFC 3161 time-stamper, or null when TSA_URL is unset (no time-stamps).
 * Reads and checks TSA_TRUSTED_CERTS_FILE now, so a bad bundle stops start-up.
 */
export function createTimestamperFromConfig(
  config: Pick<Config, 'TSA_URL' | 'TSA_TRUSTED_CERTS_FILE' | 'TSA_TIMEOUT_MS'>,
): Timestamper | null {
  if (!config.TSA_URL) return null;
  if (!config.TSA_TRUSTED_CERTS_FILE) throw new Error('TSA_TRUSTED_CERTS_FILE is required when TSA_URL is set');
  return createRfc3161Timestamper({
    url: config.TSA_URL,
    timeoutMs: config.TSA_TIMEOUT_MS,
    trust: { certificates: readTrustBundle(config.TSA_TRUSTED_CERTS_FILE) },
  });
}
