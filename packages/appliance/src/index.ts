export { type ApplianceConfig, ConfigError, loadConfig } from './config';
export { type IdentityKey, IdentityKeyError, loadOrCreateIdentityKey } from './identity/identity-key';
export { openStore, type Registration, SchemaTooNewError, type Store } from './store';
export { CentralError } from './sync/central-client';
export { type CheckinHealth, checkin, register } from './sync/register';
export { runCli } from './cli';
