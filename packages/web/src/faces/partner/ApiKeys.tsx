import { ApiKey, ApiKeyCreated, ApiKeyCreateRequest, ApiKeyList } from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../../api';
import { Async, Button, Field, Select, Table, useToast } from '../../ui/kit';
import { validate } from '../../ui/forms';
import { ConfirmAction, day, FormError, SecretOnce, usePartner, when } from './common';

const SCOPES = [
  { value: 'read', label: 'Read only' },
  { value: 'read_write', label: 'Read and write' },
] as const;

function keyState(k: ApiKey): { label: string; badge: string } {
  if (k.revokedAt) return { label: 'revoked', badge: 'rejected' };
  if (Date.parse(k.expiresAt) <= Date.now()) return { label: 'expired', badge: 'info' };
  return { label: 'active', badge: 'resolved' };
}

export function ApiKeysPage() {
  const { partnerId } = usePartner();
  const client = useQueryClient();
  const toast = useToast();
  const key = ['partner', partnerId, 'api-keys'];
  const [name, setName] = useState('');
  const [scope, setScope] = useState<string>('read');
  const [days, setDays] = useState('90');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const keys = useQuery({
    queryKey: key,
    queryFn: () => api(ApiKeyList, 'GET', `/v1/partners/${partnerId}/api-keys`),
  });
  const create = useMutation({
    mutationFn: (body: ApiKeyCreateRequest) => api(ApiKeyCreated, 'POST', `/v1/partners/${partnerId}/api-keys`, body),
    onSuccess: async (answer) => {
      setSecret(answer.key);
      setName('');
      toast(`API key ${answer.apiKey.name} created`);
      await client.invalidateQueries({ queryKey: key });
    },
    onError: (error) => {
      setErrors(error instanceof ApiError ? error.fieldErrors() : {});
      setFormError(error.message);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const checked = validate(ApiKeyCreateRequest, { name, scope, expiresInDays: Number(days) });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    create.mutate(checked.data);
  }
  return (
    <>
      <h1>API keys</h1>
      {secret ? (
        <SecretOnce
          title="Your new API key"
          secret={secret}
          warning="Copy this key now and store it safely: it is shown only once and cannot be recovered."
          onDone={() => setSecret(null)}
          testId="new-key"
        />
      ) : null}
      <form className="card" onSubmit={submit} noValidate aria-labelledby="new-key-title">
        <h2 id="new-key-title">New API key</h2>
        <Field label="Key name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
        <Select label="Scope" value={scope} onChange={setScope} options={SCOPES} />
        <Field
          label="Expires in (days)"
          type="number"
          min={1}
          max={365}
          value={days}
          onChange={(e) => setDays(e.target.value)}
          error={errors.expiresInDays}
        />
        <FormError message={formError} />
        <Button type="submit" kind="primary" busy={create.isPending}>
          Create key
        </Button>
      </form>
      <section className="card">
        <h2>Keys</h2>
        <Async query={keys} what="API keys">
          {(list) => (
            <Table
              caption="API keys"
              testId="api-keys"
              rows={list.items}
              rowKey={(k) => k.id}
              empty="No API keys yet."
              columns={[
                { header: 'Name', cell: (k) => k.name },
                { header: 'Prefix', cell: (k) => <code data-testid="key-prefix">{`osk_${k.prefix}_…`}</code> },
                { header: 'Scope', cell: (k) => (k.scope === 'read' ? 'read' : 'read & write') },
                { header: 'Created', cell: (k) => day(k.createdAt) },
                { header: 'Expires', cell: (k) => day(k.expiresAt) },
                { header: 'Last used', cell: (k) => when(k.lastUsedAt) },
                {
                  header: 'State',
                  cell: (k) => {
                    const s = keyState(k);
                    return (
                      <span className={`badge ${s.badge}`} data-testid="key-state">
                        {s.label}
                        {k.revokedAt ? ` ${day(k.revokedAt)}` : ''}
                      </span>
                    );
                  },
                },
                {
                  header: 'Actions',
                  cell: (k) =>
                    k.revokedAt ? null : (
                      <ConfirmAction
                        label="Revoke"
                        title={`Revoke the key ${k.name}?`}
                        confirmLabel="Revoke key"
                        testId="revoke-key"
                        run={async () => {
                          await api(ApiKey, 'DELETE', `/v1/partners/${partnerId}/api-keys/${k.id}`);
                          await client.invalidateQueries({ queryKey: key });
                        }}
                      >
                        Tools using this key will stop working at once.
                      </ConfirmAction>
                    ),
                },
              ]}
            />
          )}
        </Async>
      </section>
    </>
  );
}
