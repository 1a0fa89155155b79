export * from './accounts';
export * from './audit';
export * from './canonical-json';
export * from './common';
export * from './errors';
export * from './health';
export * from './provisioning';
export * from './tenancy';
