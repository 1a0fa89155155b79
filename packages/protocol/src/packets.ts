import { z } from 'zod';
import { Id, Timestamp } from './common';

/**
 * Monthly compliance packets (issue 8): one PDF per practice and calendar month (UTC), made by a
 * job on the 1st for the month before and on demand for any month that is over.
 */

/** A calendar month, `YYYY-MM`. */
export const PacketMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');
export type PacketMonth = z.infer<typeof PacketMonth>;

export const PacketCreateRequest = z.strictObject({ month: PacketMonth });
export type PacketCreateRequest = z.infer<typeof PacketCreateRequest>;

export const CompliancePacket = z.object({
  id: Id,
  practiceId: Id,
  month: PacketMonth,
  /** SHA-256 hex of the PDF's bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().min(0),
  pages: z.number().int().min(1),
  createdAt: Timestamp,
  /** Who asked for it; null when the monthly job made it. */
  createdBy: Id.nullable(),
});
export type CompliancePacket = z.infer<typeof CompliancePacket>;

export const CompliancePacketList = z.object({ items: z.array(CompliancePacket) });
export type CompliancePacketList = z.infer<typeof CompliancePacketList>;
