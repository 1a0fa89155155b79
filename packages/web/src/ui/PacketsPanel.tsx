import { PacketMonth } from '@osiris/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api';
import { Async, Button, Field, Table, useToast } from './kit';
import { abbreviate, makePacket, packetPdfUrl, packetsKey, usePackets } from './proofs-api';

/** "2026-11" → "November 2026" (UTC month, as packets are cut). */
function monthLabel(month: string): string {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, mon - 1, 1)).toLocaleDateString(undefined, {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** The last UTC month that is over. */
function lastFinishedMonth(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

const kb = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024)).toLocaleString()} KB`;

function MakePacket({ practiceId, existing }: { practiceId: string; existing: readonly string[] }) {
  const client = useQueryClient();
  const toast = useToast();
  const latest = lastFinishedMonth();
  const [month, setMonth] = useState(latest);
  const [error, setError] = useState<string | null>(null);
  const make = useMutation({
    mutationFn: (chosen: string) => makePacket(practiceId, chosen),
    onSuccess: async (packet) => {
      const wasThere = existing.includes(packet.month);
      await client.invalidateQueries({ queryKey: packetsKey(practiceId) });
      toast(
        wasThere
          ? `The packet for ${monthLabel(packet.month)} was already made; it is in the list.`
          : `Packet for ${monthLabel(packet.month)} made (${packet.pages} pages).`,
      );
    },
    onError: (failure) => {
      const fields = failure instanceof ApiError ? failure.fieldErrors() : {};
      setError(fields.month ?? (failure instanceof Error ? failure.message : 'The packet could not be made'));
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = PacketMonth.safeParse(month);
    if (!parsed.success) return setError('Choose a month');
    if (parsed.data > latest) return setError('Choose a month that is over');
    setError(null);
    make.mutate(parsed.data);
  }
  return (
    <form onSubmit={submit} noValidate aria-labelledby="make-packet-h" className="card" style={{ marginTop: 16 }}>
      <h3 id="make-packet-h" style={{ marginTop: 0 }}>
        Make a packet for a month
      </h3>
      <p className="hint">
        Packets are made on the 1st for the month before. Make one now for any month that is over; a month already made
        keeps its packet unchanged.
      </p>
      <div className="row" style={{ alignItems: 'flex-start' }}>
        <Field
          label="Month"
          type="month"
          max={latest}
          value={month}
          onChange={(e) => setMonth(e.target.value)}
          error={error ?? undefined}
          data-testid="packet-month"
        />
        <div className="field">
          <span aria-hidden="true">&nbsp;</span>
          <Button type="submit" kind="primary" busy={make.isPending} testId="make-packet">
            Make packet
          </Button>
        </div>
      </div>
    </form>
  );
}

/** A practice's monthly compliance packets: list, download as PDF, and (for those allowed) make one. */
export function PacketsPanel({ practiceId, canMake }: { practiceId: string; canMake: boolean }) {
  const packets = usePackets(practiceId);
  return (
    <section aria-labelledby="packets-h">
      <h2 id="packets-h">Monthly compliance packets</h2>
      <p className="hint">
        One PDF per month: score, controls, incidents and fixes, exceptions, and an index of the evidence with its
        hashes. A packet is kept exactly as made; its SHA-256 lets anyone check a copy.
      </p>
      <Async query={packets} what="the packets">
        {(data) => (
          <>
            <Table
              caption="Monthly compliance packets, newest first"
              testId="packets"
              rows={data.items}
              rowKey={(p) => p.id}
              empty="No packet yet: the first is made on the 1st of next month."
              columns={[
                { header: 'Month', cell: (p) => <span data-testid="packet-month-label">{monthLabel(p.month)}</span> },
                {
                  header: 'Download',
                  cell: (p) => (
                    <a
                      className="btn"
                      style={{ display: 'inline-block', textDecoration: 'none' }}
                      href={packetPdfUrl(p.id)}
                      download
                      data-testid="packet-download"
                      aria-label={`Download the packet for ${monthLabel(p.month)} (PDF)`}
                    >
                      PDF
                    </a>
                  ),
                },
                { header: 'Pages', cell: (p) => p.pages },
                { header: 'Size', cell: (p) => kb(p.sizeBytes) },
                { header: 'SHA-256', cell: (p) => <code title={p.sha256}>{abbreviate(p.sha256, 8)}</code> },
              ]}
            />
            {canMake ? <MakePacket practiceId={practiceId} existing={data.items.map((p) => p.month)} /> : null}
          </>
        )}
      </Async>
    </section>
  );
}
