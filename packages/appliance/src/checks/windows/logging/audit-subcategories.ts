/** Setting Value bits of `auditpol /backup` (and GPO audit.csv): 1 = success, 2 = failure. */
export const AUDIT_SUCCESS = 1;
export const AUDIT_FAILURE = 2;

/**
 * The advanced audit subcategories the audit check requires, by GUID (names are localised; GUIDs
 * are not) with the bits that must be on. Shared by the check and its runbook.
 */
export const REQUIRED_AUDIT_SUBCATEGORIES: readonly { guid: string; name: string; bits: number }[] = [
  { guid: '{0CCE9215-69AE-11D9-BED3-505054503030}', name: 'Logon', bits: AUDIT_SUCCESS | AUDIT_FAILURE },
  { guid: '{0CCE9216-69AE-11D9-BED3-505054503030}', name: 'Logoff', bits: AUDIT_SUCCESS },
  { guid: '{0CCE9217-69AE-11D9-BED3-505054503030}', name: 'Account Lockout', bits: AUDIT_SUCCESS | AUDIT_FAILURE },
  {
    guid: '{0CCE9235-69AE-11D9-BED3-505054503030}',
    name: 'User Account Management',
    bits: AUDIT_SUCCESS | AUDIT_FAILURE,
  },
  {
    guid: '{0CCE9237-69AE-11D9-BED3-505054503030}',
    name: 'Security Group Management',
    bits: AUDIT_SUCCESS | AUDIT_FAILURE,
  },
  { guid: '{0CCE922F-69AE-11D9-BED3-505054503030}', name: 'Audit Policy Change', bits: AUDIT_SUCCESS | AUDIT_FAILURE },
  { guid: '{0CCE9230-69AE-11D9-BED3-505054503030}', name: 'Authentication Policy Change', bits: AUDIT_SUCCESS },
  {
    guid: '{0CCE9228-69AE-11D9-BED3-505054503030}',
    name: 'Sensitive Privilege Use',
    bits: AUDIT_SUCCESS | AUDIT_FAILURE,
  },
];
