import { LogoType, PartnerBranding, PartnerBrandingUpdateRequest } from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { ApiError, api } from '../../api';
import { Async, Button, Field, useToast } from '../../ui/kit';
import { validate } from '../../ui/forms';
import { brandingKey, FormError, logoProblem, useLogoUpload, usePartner } from './common';

const DEFAULT_COLOR = '#1f6feb';

function BrandingForm({ branding }: { branding: PartnerBranding }) {
  const { partnerId } = usePartner();
  const client = useQueryClient();
  const toast = useToast();
  const upload = useLogoUpload();
  const fileId = useId();
  const [brandName, setBrandName] = useState(branding.brandName ?? '');
  const [color, setColor] = useState<string | null>(branding.color);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [localPreview, setLocalPreview] = useState<string | null>(null);

  useEffect(() => {
    if (!file) return setLocalPreview(null);
    const url = URL.createObjectURL(file);
    setLocalPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const save = useMutation({
    mutationFn: (body: PartnerBrandingUpdateRequest) =>
      api(PartnerBranding, 'PUT', `/v1/partners/${partnerId}/branding`, body),
    onSuccess: (saved) => {
      client.setQueryData(brandingKey(partnerId), saved);
      setFormError(null);
      toast('Branding saved');
    },
    onError: (error) => {
      setErrors(error instanceof ApiError ? error.fieldErrors() : {});
      setFormError(error.message);
    },
  });
  const sendLogo = useMutation({
    mutationFn: (chosen: File) => upload(partnerId, chosen),
    onSuccess: (saved) => {
      client.setQueryData(brandingKey(partnerId), saved);
      setFile(null);
      setFileError(null);
      toast('Logo uploaded');
    },
    onError: (error) => setFileError(error.message),
  });
  const removeLogo = useMutation({
    mutationFn: () => api(PartnerBranding, 'DELETE', `/v1/partners/${partnerId}/logo`),
    onSuccess: (saved) => {
      client.setQueryData(brandingKey(partnerId), saved);
      toast('Logo removed');
    },
    onError: (error) => setFileError(error.message),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const checked = validate(PartnerBrandingUpdateRequest, { brandName: brandName.trim() ? brandName : null, color });
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    save.mutate(checked.data);
  }
  function choose(chosen: File | undefined) {
    setFileError(null);
    if (!chosen) return setFile(null);
    const problem = logoProblem(chosen);
    if (problem) {
      setFile(null);
      setFileError(problem);
      return;
    }
    setFile(chosen);
  }
  const previewLogo = localPreview ?? branding.logoUrl;
  const previewName = brandName.trim() || branding.brandName || 'Your brand';
  return (
    <>
      <form className="card" onSubmit={submit} noValidate aria-labelledby="brand-form">
        <h2 id="brand-form">Name and colour</h2>
        <Field
          label="Brand name"
          value={brandName}
          onChange={(e) => setBrandName(e.target.value)}
          error={errors.brandName}
          hint="Shown to your practices instead of your company name. Leave empty to use the company name."
        />
        <div className="row">
          <Field
            label="Brand colour"
            type="color"
            value={color ?? DEFAULT_COLOR}
            onChange={(e) => setColor(e.target.value.toLowerCase())}
            error={errors.color}
          />
          <span data-testid="color-value">{color ?? 'No colour set'}</span>
          {color ? <Button onClick={() => setColor(null)}>Clear colour</Button> : null}
        </div>
        <FormError message={formError} />
        <Button type="submit" kind="primary" busy={save.isPending}>
          Save branding
        </Button>
      </form>
      <section className="card" aria-labelledby="logo-title">
        <h2 id="logo-title">Logo</h2>
        <div className="field">
          <label htmlFor={fileId}>Logo image (PNG, JPEG or WebP, at most 256 KiB)</label>
          <input
            id={fileId}
            type="file"
            accept={LogoType.options.join(',')}
            onChange={(e) => choose(e.target.files?.[0])}
            aria-invalid={fileError ? true : undefined}
            data-testid="logo-file"
          />
          {fileError ? (
            <span className="error" role="alert" data-testid="logo-error">
              {fileError}
            </span>
          ) : null}
        </div>
        <div className="row">
          <Button
            kind="primary"
            disabled={!file}
            busy={sendLogo.isPending}
            onClick={() => file && sendLogo.mutate(file)}
            testId="upload-logo"
          >
            Upload logo
          </Button>
          {branding.hasLogo ? (
            <Button kind="danger" busy={removeLogo.isPending} onClick={() => removeLogo.mutate()}>
              Remove logo
            </Button>
          ) : null}
        </div>
      </section>
      <section className="card" aria-labelledby="preview-title" data-testid="brand-preview">
        <h2 id="preview-title">Preview</h2>
        <div
          className="row"
          style={{ borderLeft: `6px solid ${color ?? DEFAULT_COLOR}`, padding: 12, background: 'rgba(0,0,0,0.03)' }}
        >
          {previewLogo ? (
            <img
              src={previewLogo}
              alt={`${previewName} logo`}
              data-testid="logo-preview"
              data-source={localPreview ? 'chosen' : 'saved'}
              style={{ maxHeight: 48, maxWidth: 160 }}
            />
          ) : (
            <span className="state" data-testid="no-logo">
              No logo
            </span>
          )}
          <strong style={{ color: color ?? undefined }}>{previewName}</strong>
        </div>
        {localPreview ? <p>Not uploaded yet: this is the chosen file.</p> : null}
      </section>
    </>
  );
}

export function BrandingPage() {
  const { partnerId } = usePartner();
  const branding = useQuery({
    queryKey: brandingKey(partnerId),
    queryFn: () => api(PartnerBranding, 'GET', `/v1/partners/${partnerId}/branding`),
  });
  return (
    <>
      <h1>Branding</h1>
      <Async query={branding} what="branding">
        {(b) => <BrandingForm branding={b} />}
      </Async>
    </>
  );
}
