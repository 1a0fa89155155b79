export * from './test-app';
export { createPasswordHasher } from '../modules/accounts';
export { checkinRequest, createChainWriter, newApplianceIdentity, registrationRequest } from './appliance-wire';
export { type CentralServer, startCentralServer } from './central-server';
export { type TestSmtpServer, startTestSmtpServer } from './smtp-server';
export { startTestOidcProvider } from './oidc-provider';
export { signInAs } from './principals';
export { type ReceivedRequest, type TestHttpReceiver, startTestHttpReceiver } from './notification-peers';
export { type TestTsaKeyType, type TestTsaMode, type TestTsaServer, startTestTsaServer } from './tsa-server';
