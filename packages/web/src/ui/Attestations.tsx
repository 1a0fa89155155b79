import {
  Attestation,
  ATTESTATION_DOCUMENT_MAX_BYTES,
  AttestationCreateRequest,
  AttestationDocumentType,
  type FrameworkId,
} from '@osiris/protocol';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api';
import { useRefreshCompliance, useWithdrawAttestation } from './compliance-data';
import { validate } from './forms';
import { Button, Dialog, Field, messageOf, TextArea, useToast } from './kit';

const DAY_MS = 86_400_000;
const MAX_MIB = ATTESTATION_DOCUMENT_MAX_BYTES / 1024 / 1024;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const formatDay = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** Why a document cannot be sent, checked before reading it; null when it may go. */
function documentProblem(file: File | null): string | null {
  if (!file) return 'Choose the document that shows the control is in place.';
  if (!AttestationDocumentType.safeParse(file.type).success)
    return 'The document must be a PDF, PNG, JPEG or plain text file.';
  if (file.size === 0) return 'The file is empty.';
  if (file.size > ATTESTATION_DOCUMENT_MAX_BYTES) return `The document is too large: at most ${MAX_MIB} MiB.`;
  return null;
}

/** The file's bytes as base64 (read in the browser; nothing leaves it before the form is sent). */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new Error('The file could not be read.'));
    reader.readAsDataURL(file);
  });
}

/** Noon UTC of the chosen day: always within a year when the day is at most 364 days ahead. */
const expiryOf = (day: string) => `${day}T12:00:00.000Z`;

/** "Attest" and its dialog: statement, expiry, document; validated with the API's own schema. */
export function AttestButton(props: { practiceId: string; framework: FrameworkId; controlId: string; title: string }) {
  const toast = useToast();
  const refresh = useRefreshCompliance();
  const [open, setOpen] = useState(false);
  const [statement, setStatement] = useState('');
  const [day, setDay] = useState(() => isoDay(Date.now() + 364 * DAY_MS));
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: (body: AttestationCreateRequest) =>
      api(Attestation, 'POST', `/v1/practices/${props.practiceId}/attestations`, body),
    onSuccess: async () => {
      setOpen(false);
      setStatement('');
      setFile(null);
      toast(`${props.controlId} attested`);
      await refresh();
    },
    onError: (error) =>
      setErrors(error instanceof ApiError ? { ...error.fieldErrors(), _: error.message } : { _: messageOf(error) }),
  });
  async function submit(e: FormEvent) {
    e.preventDefault();
    const found: Record<string, string> = {};
    const fileProblem = documentProblem(file);
    if (fileProblem) found.document = fileProblem;
    if (statement.trim().length < 10)
      found.statement = 'Write at least 10 characters: what is in place, in your words.';
    const today = isoDay(Date.now());
    if (!day || day <= today) found.expiresAt = 'The attestation must end after today.';
    else if (day > isoDay(Date.now() + 364 * DAY_MS)) found.expiresAt = 'An attestation lasts at most one year.';
    if (Object.keys(found).length > 0 || !file) return setErrors(found);
    let base64: string;
    try {
      base64 = await readBase64(file);
    } catch (error) {
      return setErrors({ document: messageOf(error) });
    }
    const checked = validate(AttestationCreateRequest, {
      framework: props.framework,
      controlId: props.controlId,
      statement,
      expiresAt: expiryOf(day),
      document: { name: file.name, type: file.type, base64 },
    });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    create.mutate(checked.data);
  }
  const documentError =
    errors.document ?? errors['document.type'] ?? errors['document.base64'] ?? errors['document.name'];
  return (
    <>
      <Button kind="primary" onClick={() => setOpen(true)} testId="attest">
        Attest
      </Button>
      {open ? (
        <Dialog open={open} title={`Attest ${props.controlId}`} onClose={() => setOpen(false)}>
          <form onSubmit={submit} noValidate data-testid="attest-form" style={{ maxWidth: 520 }}>
            <p className="hint">{props.title}</p>
            <TextArea
              label="What is in place"
              value={statement}
              onChange={setStatement}
              error={errors.statement}
              testId="attest-statement"
            />
            <Field
              label="Valid until"
              type="date"
              value={day}
              min={isoDay(Date.now() + DAY_MS)}
              max={isoDay(Date.now() + 364 * DAY_MS)}
              onChange={(e) => setDay(e.target.value)}
              error={errors.expiresAt}
              data-testid="attest-expiry"
            />
            <Field
              label={`Document (PDF, PNG, JPEG or text, at most ${MAX_MIB} MiB)`}
              type="file"
              accept=".pdf,.png,.jpg,.jpeg,.txt,application/pdf,image/png,image/jpeg,text/plain"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              error={documentError}
              data-testid="attest-file"
            />
            {errors._ ? (
              <p className="form-error" role="alert" data-testid="attest-error">
                {errors._}
              </p>
            ) : null}
            <div className="row">
              <Button type="submit" kind="primary" busy={create.isPending} testId="attest-submit">
                Attest control
              </Button>
              <Button onClick={() => setOpen(false)}>Cancel</Button>
            </div>
          </form>
        </Dialog>
      ) : null}
    </>
  );
}

/** An attestation: valid until…, the document to download, and (for those allowed) "Withdraw". */
export function AttestationLine({ attestation, canWithdraw }: { attestation: Attestation; canWithdraw: boolean }) {
  const toast = useToast();
  const withdraw = useWithdrawAttestation();
  const state = attestation.revokedAt
    ? `Withdrawn on ${formatDay(attestation.revokedAt)}`
    : attestation.isValid
      ? `Valid until ${formatDay(attestation.expiresAt)}`
      : `Expired on ${formatDay(attestation.expiresAt)}`;
  return (
    <div data-testid="attestation" data-valid={attestation.isValid} style={{ display: 'grid', gap: 4 }}>
      <span>
        <span className={`badge ${attestation.isValid ? 'pass' : 'info'}`} data-testid="attestation-state">
          {state}
        </span>{' '}
        <span className="hint">attested {formatDay(attestation.attestedAt)}</span>
      </span>
      <q style={{ overflowWrap: 'anywhere' }}>{attestation.statement}</q>
      <span className="row" style={{ flexWrap: 'wrap' }}>
        <a href={attestation.document.url} download={attestation.document.name} data-testid="attestation-download">
          Download {attestation.document.name}
        </a>
        {canWithdraw && attestation.isValid ? (
          <Button
            kind="danger"
            testId="withdraw"
            busy={withdraw.isPending}
            onClick={() =>
              withdraw.mutate(attestation.id, {
                onSuccess: () => toast('Attestation withdrawn'),
                onError: (error) => toast(messageOf(error), 'error'),
              })
            }
          >
            Withdraw
          </Button>
        ) : null}
      </span>
    </div>
  );
}
