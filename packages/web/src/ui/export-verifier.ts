import { type ExportVerifyOptions, type ExportVerifyResult, unzipExport, verifyExport } from '@osiris/protocol';

/**
 * Unpacks and verifies an auditor export in this browser. Loaded on demand (dynamic import) so the
 * ZIP reader and the verifier stay out of the pages that never use them. Throws when the bytes are
 * not a readable export ZIP; every check after that is a result, never an exception.
 */
export function verifyExportZip(zip: Uint8Array, options: ExportVerifyOptions): Promise<ExportVerifyResult> {
  return verifyExport(unzipExport(zip), options);
}
