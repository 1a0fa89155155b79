import { type Release, type ReleaseChannel, SignedReleaseManifest } from '@osiris/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../api';
import { Button, messageOf, Select, TextArea, useToast } from '../../../ui/kit';
import { FormError } from '../common';
import { registerRelease, useArtifactUpload } from './fleet-api';
import { formatBytes, ProgressBar } from './parts';

/** What to tell the admin when central refuses a release or its artifact. */
export function releaseProblem(error: unknown, version?: string): string {
  if (!(error instanceof ApiError)) return messageOf(error);
  const details = error.details as
    | { code?: unknown; issues?: { path?: unknown[]; message?: string; code?: string }[] }
    | undefined;
  const issue = details?.issues?.[0];
  const code = typeof details?.code === 'string' ? details.code : issue?.code;
  if (code === 'BAD_SIGNATURE')
    return `The signature does not verify: this manifest was not signed by a release key central trusts, or it was changed after signing (${issue?.message ?? error.message}).`;
  if (code === 'UNKNOWN_KEY')
    return `The manifest is signed with a key central does not trust (${issue?.message ?? error.message}). Add its public key to RELEASE_PUBLIC_KEYS, or sign with a trusted key.`;
  if (code === 'HASH_MISMATCH')
    return 'The file does not match the SHA-256 in the signed manifest: it is not the artifact that was signed.';
  if (code === 'SIZE_MISMATCH') return `The file's size does not match the signed manifest: ${error.message}.`;
  if (error.code === 'CONFLICT')
    return `${error.message}${version && /already exists/.test(error.message) ? ': that version is already registered.' : ''}`;
  if (issue?.message) return `${(issue.path ?? []).join('.') || 'Request'}: ${issue.message}`;
  return error.message;
}

/** Reads the pasted or picked manifest: the parsed signed manifest, or what is wrong with it. */
function parseManifest(raw: string): { ok: true; signed: SignedReleaseManifest } | { ok: false; error: string } {
  if (!raw.trim()) return { ok: false, error: 'Paste the signed manifest or choose its file.' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'This is not valid JSON.' };
  }
  const parsed = SignedReleaseManifest.safeParse(json);
  if (parsed.success) return { ok: true, signed: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    error: `Not a signed release manifest: ${issue?.path.join('.') || 'the document'}: ${issue?.message ?? 'invalid'}`,
  };
}

/** Step 2: the artifact, checked against the manifest's size, uploaded with a progress bar. */
export function ArtifactUpload({ release, onDone }: { release: Release; onDone: (r: Release) => void }) {
  const upload = useArtifactUpload();
  const toast = useToast();
  const [file, setFile] = useState<File | null>(null);
  const [fraction, setFraction] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = fraction !== null && error === null;
  const send = async () => {
    setError(null);
    if (!file) return setError('Choose the artifact file (the release tarball).');
    if (file.size !== release.sizeBytes)
      return setError(
        `This file has ${file.size} bytes but the signed manifest says ${release.sizeBytes}: it is not the artifact of ${release.version}.`,
      );
    setFraction(0);
    try {
      const done = await upload(release.version, file, setFraction);
      toast(`Release ${done.version} is ${done.state === 'available' ? 'available' : done.state}`);
      setFraction(null);
      onDone(done);
    } catch (e) {
      setError(releaseProblem(e, release.version));
    }
  };
  return (
    <div data-testid="artifact-upload">
      <p>
        Upload the artifact of <strong>{release.version}</strong> ({formatBytes(release.sizeBytes)}). Central checks its
        size and SHA-256 against the signed manifest before it becomes available.
      </p>
      <div className="field">
        <label htmlFor="artifact-file">Artifact file</label>
        <input
          id="artifact-file"
          type="file"
          data-testid="artifact-file"
          disabled={busy}
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setError(null);
            setFraction(null);
          }}
        />
      </div>
      {fraction !== null ? (
        <ProgressBar value={fraction * 100} max={100} label="Upload" testId="upload-progress" />
      ) : null}
      <FormError message={error} />
      <div className="row" style={{ marginTop: 8 }}>
        <Button kind="primary" busy={busy} onClick={send} testId="artifact-send">
          Upload artifact
        </Button>
      </div>
    </div>
  );
}

/** Register a release: the signed manifest (pasted or picked) and its channel, then its artifact. */
export function RegisterRelease({ onClose }: { onClose: () => void }) {
  const client = useQueryClient();
  const [raw, setRaw] = useState('');
  const [channel, setChannel] = useState<ReleaseChannel>('stable');
  const [manifestError, setManifestError] = useState<string | undefined>();
  const [registered, setRegistered] = useState<Release | null>(null);
  const register = useMutation({
    mutationFn: registerRelease,
    onSuccess: async (release) => {
      setRegistered(release);
      await client.invalidateQueries({ queryKey: ['admin', 'releases'] });
    },
  });
  const version = (() => {
    const parsed = parseManifest(raw);
    return parsed.ok ? parsed.signed.manifest.version : undefined;
  })();
  return (
    <section className="card" aria-labelledby="register-release" data-testid="register-release">
      <h2 id="register-release" style={{ marginTop: 0 }}>
        Register a release
      </h2>
      {registered ? (
        <ArtifactUpload release={registered} onDone={onClose} />
      ) : (
        <form
          noValidate
          aria-label="Register a release"
          onSubmit={(e) => {
            e.preventDefault();
            const parsed = parseManifest(raw);
            if (!parsed.ok) return setManifestError(parsed.error);
            setManifestError(undefined);
            register.mutate({ signed: parsed.signed, channel });
          }}
        >
          <div className="field">
            <label htmlFor="manifest-file">Signed manifest file</label>
            <input
              id="manifest-file"
              type="file"
              accept="application/json,.json"
              data-testid="manifest-file"
              onChange={async (e) => {
                const picked = e.target.files?.[0];
                if (!picked) return;
                if (picked.size > 64 * 1024) return setManifestError('This file is too large to be a manifest.');
                setRaw(await picked.text());
                setManifestError(undefined);
              }}
            />
            <span className="hint">Made by `osiris-appliance release sign`; or paste it below.</span>
          </div>
          <TextArea
            label="Signed manifest (JSON)"
            value={raw}
            onChange={(v) => {
              setRaw(v);
              setManifestError(undefined);
            }}
            error={manifestError}
            testId="manifest-json"
          />
          <Select
            label="Channel"
            value={channel}
            onChange={(v) => setChannel(v as ReleaseChannel)}
            testId="release-channel"
            options={[
              { value: 'stable', label: 'Stable' },
              { value: 'beta', label: 'Beta' },
            ]}
          />
          <FormError message={register.error ? releaseProblem(register.error, version) : null} />
          <div className="row">
            <Button type="submit" kind="primary" busy={register.isPending} testId="release-register">
              Register release
            </Button>
            <Button onClick={onClose}>Cancel</Button>
          </div>
        </form>
      )}
    </section>
  );
}
