import {
  LinkInvitationAcceptRequest,
  LoginRequest,
  OidcProviders,
  SessionInfo,
  SignInLinkRequest,
  SignInLinkSent,
} from '@osiris/protocol';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, api } from '../api';
import { useSession } from '../session';
import { Button, Field } from '../ui/kit';
import { validate } from '../ui/forms';
import { homeOf } from '../ui/Shell';

type Tab = 'staff' | 'partner' | 'practice';

/** The token in the URL's fragment (`#token=…`): never sent to servers, proxies or Referer headers. */
const fragmentToken = (hash: string) => new URLSearchParams(hash.replace(/^#/, '')).get('token');

const OIDC_ERRORS: Record<string, string> = {
  PARTNER_NOT_APPROVED: 'Your partner account waits for approval. We will email you when it is decided.',
  EMAIL_DOMAIN_REFUSED: 'Sign up with your company address, not a personal mail provider.',
  EMAIL_UNVERIFIED: 'Your identity provider does not vouch for your email address.',
};

/** One sign-in page for everyone: staff by password, partners by OpenID Connect, practices by emailed link. */
export function SignInPage() {
  const { user, signedIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const [tab, setTab] = useState<Tab>((params.get('as') as Tab | null) ?? 'staff');
  const token = fragmentToken(location.hash);

  const redeem = useMutation({
    mutationFn: (value: string) => api(SessionInfo, 'POST', '/v1/auth/sign-in-links/redeem', { token: value }),
    onSuccess: (info) => {
      signedIn(info);
      window.history.replaceState(null, '', '/sign-in');
      navigate(homeOf(info.user), { replace: true });
    },
  });
  useEffect(() => {
    if (token && redeem.isIdle) redeem.mutate(token);
  }, [token, redeem]);

  if (user && !token) return <Navigate to={homeOf(user)} replace />;
  if (token)
    return (
      <div className="auth card" data-testid="link-redeem">
        <h1>Signing you in</h1>
        {redeem.isError ? (
          <>
            <p className="form-error" role="alert">
              {redeem.error.message}
            </p>
            <Button onClick={() => navigate('/sign-in?as=practice')}>Request a new link</Button>
          </>
        ) : (
          <p role="status">Checking your sign-in link…</p>
        )}
      </div>
    );

  const oidcError = params.get('error');
  return (
    <div className="auth">
      <h1>Sign in to OsirisCare</h1>
      <div className="tabs" role="tablist">
        {(['staff', 'partner', 'practice'] as const).map((t) => (
          <button key={t} type="button" role="tab" className="btn" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t === 'staff' ? 'Staff' : t === 'partner' ? 'Partner (MSP)' : 'Practice or auditor'}
          </button>
        ))}
      </div>
      {oidcError ? (
        <p className="form-error" role="alert">
          {OIDC_ERRORS[oidcError] ?? 'Sign-in with your identity provider failed. Try again.'}
        </p>
      ) : null}
      <div className="card">
        {tab === 'staff' ? <StaffForm /> : tab === 'partner' ? <PartnerButtons /> : <LinkForm />}
      </div>
    </div>
  );
}

function StaffForm() {
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [form, setForm] = useState({ email: '', password: '', totpCode: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [needsTotp, setNeedsTotp] = useState(false);
  const login = useMutation({
    mutationFn: (body: LoginRequest) => api(SessionInfo, 'POST', '/v1/auth/login', body),
    onSuccess: (info) => {
      signedIn(info);
      navigate(homeOf(info.user), { replace: true });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'TOTP_REQUIRED') setNeedsTotp(true);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = validate(LoginRequest, {
      email: form.email,
      password: form.password,
      ...(needsTotp ? { totpCode: form.totpCode } : {}),
    });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    login.mutate(checked.data);
  };
  return (
    <form onSubmit={submit} noValidate data-testid="staff-sign-in">
      <Field
        label="Email"
        type="email"
        autoComplete="username"
        value={form.email}
        error={errors.email}
        onChange={(e) => setForm({ ...form, email: e.target.value })}
      />
      <Field
        label="Password"
        type="password"
        autoComplete="current-password"
        value={form.password}
        error={errors.password}
        onChange={(e) => setForm({ ...form, password: e.target.value })}
      />
      {needsTotp ? (
        <Field
          label="Authentication code"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={form.totpCode}
          error={errors.totpCode}
          onChange={(e) => setForm({ ...form, totpCode: e.target.value })}
        />
      ) : null}
      {login.isError && !(login.error instanceof ApiError && login.error.code === 'TOTP_REQUIRED') ? (
        <p className="form-error" role="alert" data-testid="sign-in-error">
          {login.error.message}
        </p>
      ) : null}
      <Button type="submit" kind="primary" busy={login.isPending}>
        Sign in
      </Button>
    </form>
  );
}

function PartnerButtons() {
  const providers = useQuery({
    queryKey: ['oidc-providers'],
    queryFn: () => api(OidcProviders, 'GET', '/v1/auth/oidc/providers'),
  });
  if (providers.isLoading) return <p role="status">Loading sign-in providers…</p>;
  const items = providers.data?.items ?? [];
  if (items.length === 0) return <p data-testid="no-providers">No identity provider is configured for partners yet.</p>;
  return (
    <div className="row" style={{ flexDirection: 'column', alignItems: 'stretch' }}>
      {items.map((p) => (
        <div key={p.id} className="row">
          <a className="btn primary" href={`/v1/auth/oidc/${p.id}/start?intent=signin`}>
            Sign in with {p.label}
          </a>
          <a className="btn" href={`/v1/auth/oidc/${p.id}/start?intent=signup`}>
            Sign up with {p.label}
          </a>
        </div>
      ))}
    </div>
  );
}

function LinkForm() {
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | undefined>();
  const send = useMutation({
    mutationFn: (value: string) => api(SignInLinkSent, 'POST', '/v1/auth/sign-in-links', { email: value }),
  });
  if (send.isSuccess)
    return (
      <div data-testid="check-email">
        <h2 style={{ marginTop: 0 }}>Check your email</h2>
        <p>{send.data.message}</p>
        <p>
          Sent to <strong>{email}</strong>.
        </p>
        <Button onClick={() => send.reset()}>Use a different email</Button>
      </div>
    );
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const checked = validate(SignInLinkRequest, { email });
        if (!checked.ok) return setError(checked.errors.email);
        setError(undefined);
        send.mutate(checked.data.email);
      }}
    >
      <p>We email you a link that signs you in once, for 15 minutes, in this browser.</p>
      <Field
        label="Email"
        type="email"
        autoComplete="email"
        value={email}
        error={error}
        onChange={(e) => setEmail(e.target.value)}
      />
      {send.isError ? (
        <p className="form-error" role="alert">
          {send.error.message}
        </p>
      ) : null}
      <Button type="submit" kind="primary" busy={send.isPending}>
        Email me a sign-in link
      </Button>
    </form>
  );
}

/** Accepting a practice invitation from its emailed link (`/join#token=…`). */
export function JoinPage() {
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const token = fragmentToken(location.hash) ?? '';
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const accept = useMutation({
    mutationFn: (body: LinkInvitationAcceptRequest) =>
      api(SessionInfo, 'POST', '/v1/auth/invitations/accept-link', body),
    onSuccess: (info) => {
      signedIn(info);
      window.history.replaceState(null, '', '/join');
      navigate(homeOf(info.user), { replace: true });
    },
  });
  if (!token)
    return (
      <div className="auth card">
        <h1>Invitation link needed</h1>
        <p>Open the link from your invitation email.</p>
      </div>
    );
  return (
    <form
      className="auth card"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const checked = validate(LinkInvitationAcceptRequest, { token, name });
        if (!checked.ok) return setErrors(checked.errors);
        setErrors({});
        accept.mutate(checked.data);
      }}
    >
      <h1>Join your practice on OsirisCare</h1>
      <Field label="Your name" value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
      {accept.isError ? (
        <p className="form-error" role="alert">
          {accept.error.message}
        </p>
      ) : null}
      <Button type="submit" kind="primary" busy={accept.isPending}>
        Accept invitation
      </Button>
    </form>
  );
}
