/** Agent build version (semver), sent as `agent_version`. */
export const AGENT_VERSION = '0.1.0';
