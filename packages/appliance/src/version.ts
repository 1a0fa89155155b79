/** The appliance release this build reports to central. */
export const APPLIANCE_VERSION = '0.1.0';
