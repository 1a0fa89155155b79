import { AuditPage as AuditPageSchema, AuditVerifyResponse } from '@osiris/protocol';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, query } from '../../api';
import { Button, Field, messageOf, StatusBadge, Table } from '../../ui/kit';
import { AUDIT_EXPORT_MAX, auditCsv, download, fetchAuditForExport } from './audit-csv';
import { fmt, isForbidden, Denied, Load } from './common';

export function AuditPage() {
  const [action, setAction] = useState('');
  const [applied, setApplied] = useState('');
  const list = useQuery({
    queryKey: ['admin', 'audit', applied],
    queryFn: () => api(AuditPageSchema, 'GET', `/v1/admin/audit${query({ limit: 200, action: applied || undefined })}`),
  });
  const verify = useMutation({ mutationFn: () => api(AuditVerifyResponse, 'GET', '/v1/admin/audit/verify') });
  const [exported, setExported] = useState(0);
  const exportCsv = useMutation({
    mutationFn: async () => {
      setExported(0);
      const entries = await fetchAuditForExport(applied, setExported);
      const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
      download(`osiris-audit-${applied || 'all'}-${stamp}.csv`, auditCsv(entries), 'text/csv;charset=utf-8');
      return entries.length;
    },
  });
  if (isForbidden(verify.error)) return <Denied />;
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <div className="card">
        <div className="row" style={{ flexWrap: 'wrap' }}>
          <Button kind="primary" busy={verify.isPending} onClick={() => verify.mutate()}>
            Verify chain
          </Button>
          <Button busy={exportCsv.isPending} onClick={() => exportCsv.mutate()} testId="audit-export">
            Export CSV
          </Button>
          <span data-testid="export-status" aria-live="polite" className="hint">
            {exportCsv.isPending
              ? `Exporting… ${exported} entries`
              : exportCsv.data !== undefined
                ? `Exported ${exportCsv.data} entries${exportCsv.data >= AUDIT_EXPORT_MAX ? ` (the first ${AUDIT_EXPORT_MAX}; filter to narrow)` : ''}${applied ? ` for ${applied}` : ''}.`
                : exportCsv.error
                  ? messageOf(exportCsv.error)
                  : null}
          </span>
          <div data-testid="verify-result" aria-live="polite">
            {verify.data ? (
              verify.data.ok ? (
                <span>
                  <StatusBadge value="ok" /> Chain intact: {verify.data.checked} entries checked, head #
                  {verify.data.headSeq ?? '—'}
                </span>
              ) : (
                <span>
                  <StatusBadge value="bad" /> Chain broken at #{verify.data.firstBad?.seq} (
                  {verify.data.firstBad?.reason.replaceAll('_', ' ')}) after {verify.data.checked} entries
                </span>
              )
            ) : verify.error ? (
              <span className="form-error" role="alert">
                {messageOf(verify.error)}
              </span>
            ) : null}
          </div>
        </div>
      </div>
      <form
        className="row"
        style={{ alignItems: 'flex-end', flexWrap: 'wrap' }}
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(action.trim());
        }}
      >
        <Field
          label="Action"
          placeholder="e.g. partner.create"
          value={action}
          onChange={(e) => setAction(e.target.value)}
        />
        <Button type="submit">Filter</Button>
        {applied ? (
          <Button
            onClick={() => {
              setAction('');
              setApplied('');
            }}
          >
            Clear
          </Button>
        ) : null}
      </form>
      <Load query={list} what="the audit log">
        {(p) => (
          <Table
            caption="Audit log, newest first"
            testId="audit"
            rows={p.items}
            rowKey={(e) => e.id}
            empty={applied ? `No entries for ${applied}.` : 'The audit log is empty.'}
            columns={[
              { header: '#', cell: (e) => e.seq },
              { header: 'When', cell: (e) => fmt(e.occurredAt) },
              { header: 'Action', cell: (e) => e.action },
              { header: 'Actor', cell: (e) => e.actorLabel ?? e.actorType },
              { header: 'Target', cell: (e) => (e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—') },
              {
                header: 'Outcome',
                cell: (e) => <span className={`badge ${e.outcome === 'success' ? 'ok' : 'bad'}`}>{e.outcome}</span>,
              },
            ]}
          />
        )}
      </Load>
    </section>
  );
}
