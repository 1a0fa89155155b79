import { ErrorResponse, LOGO_MAX_BYTES, LogoType, PartnerBranding, type SessionInfo } from '@osiris/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { ApiError } from '../../api';
import { useSession } from '../../session';
import { Button, Dialog, messageOf, useToast } from '../../ui/kit';

/** The signed-in partner person: their partner and whether they may manage people, keys and branding. */
export function usePartner(): { partnerId: string; isAdmin: boolean; canSetTier: boolean; userId: string } {
  const { user } = useSession();
  return {
    partnerId: user?.partnerId ?? '',
    isAdmin: user?.role === 'partner_admin',
    /** Partner admins and technicians set a site's workstation-agent tier. */
    canSetTier: user?.role === 'partner_admin' || user?.role === 'technician',
    userId: user?.id ?? '',
  };
}

/** Pages only partner admins use; a technician who types the URL is told why. */
export function AdminOnly({ what, children }: { what: string; children: ReactNode }) {
  const { isAdmin } = usePartner();
  if (isAdmin) return <>{children}</>;
  return (
    <div className="state error" role="alert" data-testid="no-access">
      <h1>Not available to technicians</h1>
      <p>Only partner admins can manage {what}. Ask a partner admin of your organisation.</p>
    </div>
  );
}

export const brandingKey = (partnerId: string) => ['partner', partnerId, 'branding'] as const;

/** A date and time in the viewer's locale; a dash when missing. */
export const when = (value: string | null | undefined): string =>
  value ? new Date(value).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

export const day = (value: string | null | undefined): string =>
  value ? new Date(value).toLocaleDateString(undefined, { dateStyle: 'medium' }) : '—';

/** A one-time secret (provision code, API key) with a Copy button; it is never shown again. */
export function SecretOnce(props: {
  title: string;
  secret: string;
  warning: string;
  onDone: () => void;
  testId: string;
}) {
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied(true);
      toast('Copied to the clipboard');
    } catch {
      toast('Copying is blocked by the browser; select the text and copy it.', 'error');
    }
  }
  return (
    <section className="card" aria-labelledby={`${props.testId}-title`} data-testid={props.testId}>
      <h2 id={`${props.testId}-title`}>{props.title}</h2>
      <p role="note">
        <strong>{props.warning}</strong>
      </p>
      <p>
        <code
          data-testid={`${props.testId}-value`}
          style={{ wordBreak: 'break-all', fontSize: '1.1em', userSelect: 'all' }}
        >
          {props.secret}
        </code>
      </p>
      <div className="row">
        <Button kind="primary" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
        <Button onClick={props.onDone}>I have saved it</Button>
      </div>
    </section>
  );
}

/** A dangerous action behind a confirmation dialog; the server's refusal shows in the dialog. */
export function ConfirmAction(props: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  run: () => Promise<unknown>;
  testId?: string;
  disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();
  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await props.run();
      setOpen(false);
      toast(`${props.confirmLabel}: done`);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button kind="danger" onClick={() => setOpen(true)} testId={props.testId} disabled={props.disabled}>
        {props.label}
      </Button>
      <Dialog
        open={open}
        title={props.title}
        onClose={() => {
          setOpen(false);
          setError(null);
        }}
      >
        <div>{props.children}</div>
        {error ? (
          <p className="form-error" role="alert" data-testid="confirm-error">
            {error}
          </p>
        ) : null}
        <div className="row">
          <Button kind="danger" onClick={confirm} busy={busy} testId="confirm">
            {props.confirmLabel}
          </Button>
          <Button onClick={() => setOpen(false)}>Cancel</Button>
        </div>
      </Dialog>
    </>
  );
}

/** The error line under a form (server refusals such as 403 or 409). */
export const FormError = ({ message }: { message: string | null }) =>
  message ? (
    <p className="form-error" role="alert" data-testid="form-error">
      {message}
    </p>
  ) : null;

/** Why a logo file cannot be sent, checked before upload; null when it may go. */
export function logoProblem(file: File): string | null {
  if (!LogoType.safeParse(file.type).success)
    return 'The logo must be a PNG, JPEG or WebP image (SVG is not accepted).';
  if (file.size > LOGO_MAX_BYTES) return `The logo is too large: at most ${LOGO_MAX_BYTES / 1024} KiB.`;
  if (file.size === 0) return 'The file is empty.';
  return null;
}

/**
 * Uploads a logo as a raw image body. api.ts only sends JSON, so this sends the File itself with
 * its content type and the session's CSRF token (the one /v1/auth/me answered, kept in the
 * session query), and parses the answer with the same schemas.
 */
export function useLogoUpload() {
  const client = useQueryClient();
  return async (partnerId: string, file: File): Promise<PartnerBranding> => {
    const csrf = client.getQueryData<SessionInfo | null>(['session'])?.csrfToken;
    let response: Response;
    try {
      response = await fetch(`/v1/partners/${partnerId}/logo`, {
        method: 'PUT',
        credentials: 'same-origin',
        headers: { 'content-type': file.type, accept: 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
        body: file,
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Central Command cannot be reached. Check your connection and try again.');
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const parsed = ErrorResponse.safeParse(json);
      if (parsed.success)
        throw new ApiError(
          response.status,
          parsed.data.error.code,
          parsed.data.error.message,
          parsed.data.error.details,
        );
      if (response.status === 413)
        throw new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The logo is too large (at most 256 KiB).');
      throw new ApiError(response.status, 'INTERNAL', `Unexpected answer (${response.status})`);
    }
    return PartnerBranding.parse(json);
  };
}
