import { EVIDENCE_GENESIS_HASH, type EvidenceBundle, type EvidenceVerifyResult } from '@osiris/protocol';
import { describe, expect, it } from 'vitest';
import { linkBatch } from './evidence.linker';

const APPLIANCE = '01890000-0000-7000-8000-00000000b001';
const hashOf = (seq: number) => seq.toString(16).padStart(64, '0');

/** A wire item and the verification result central would have for it. */
function item(seq: number, overrides: Partial<EvidenceBundle> = {}, result?: EvidenceVerifyResult) {
  const bundle = {
    applianceId: APPLIANCE,
    seq,
    prevHash: seq === 1 ? EVIDENCE_GENESIS_HASH : hashOf(seq - 1),
    ...overrides,
  } as EvidenceBundle;
  const wire = { bundle, hash: hashOf(seq), signature: `sig-${seq}` };
  return { wire, result: result ?? ({ ok: true, bundle, hash: hashOf(seq) } as const) };
}

function link(entries: ReturnType<typeof item>[], head = { seq: 0, hash: EVIDENCE_GENESIS_HASH }, stored = new Map()) {
  return linkBatch(
    APPLIANCE,
    head,
    stored,
    entries.map((e) => e.wire),
    entries.map((e) => e.result),
  );
}

describe('linkBatch', () => {
  it('accepts bundles that follow the head in order', () => {
    const outcome = link([item(1), item(2), item(3)]);
    expect(outcome).toMatchObject({ headSeq: 3, duplicates: 0, refusal: null });
    expect(outcome.accepted.map((s) => [s.bundle.seq, s.hash, s.signature])).toEqual([
      [1, hashOf(1), 'sig-1'],
      [2, hashOf(2), 'sig-2'],
      [3, hashOf(3), 'sig-3'],
    ]);
  });

  it('counts a stored bundle sent again as a duplicate, but refuses one with another hash', () => {
    const head = { seq: 2, hash: hashOf(2) };
    const stored = new Map([
      [1, hashOf(1)],
      [2, hashOf(2)],
    ]);
    expect(link([item(1), item(2), item(3)], head, stored)).toMatchObject({ headSeq: 3, duplicates: 2, refusal: null });
    const changed = item(2);
    changed.wire.hash = 'f'.repeat(64);
    expect(link([item(1), changed, item(3)], head, stored)).toMatchObject({
      headSeq: 2,
      duplicates: 1,
      refusal: { code: 'BROKEN_LINK', seq: 2 },
    });
  });

  it('stops at a gap, a failed check, a wrong link or another appliance, keeping what came before', () => {
    expect(link([item(1), item(3)])).toMatchObject({ headSeq: 1, refusal: { code: 'GAP', seq: 3 } });
    const forged = item(2, {}, { ok: false, code: 'BAD_SIGNATURE', message: 'no' });
    expect(link([item(1), forged, item(3)])).toMatchObject({ headSeq: 1, refusal: { code: 'BAD_SIGNATURE', seq: 2 } });
    const relinked = item(2, { prevHash: 'e'.repeat(64) });
    expect(link([item(1), relinked])).toMatchObject({ headSeq: 1, refusal: { code: 'BROKEN_LINK', seq: 2 } });
    const foreign = item(2, { applianceId: '01890000-0000-7000-8000-00000000b002' });
    const outcome = link([item(1), foreign, item(3)]);
    expect(outcome).toMatchObject({ headSeq: 1, refusal: { code: 'BROKEN_LINK', seq: 2 } });
    expect(outcome.accepted).toHaveLength(1);
  });

  it('refuses an unreadable item as malformed', () => {
    const outcome = linkBatch(
      APPLIANCE,
      { seq: 0, hash: EVIDENCE_GENESIS_HASH },
      new Map(),
      [{ bundle: {} }],
      [{ ok: false, code: 'MALFORMED', message: 'bundle.seq: required' }],
    );
    expect(outcome).toMatchObject({ headSeq: 0, accepted: [], refusal: { code: 'MALFORMED', seq: null } });
  });
});
