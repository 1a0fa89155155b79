/**
 * Every email Central Command sends: typed data in, `{ subject, text, html }` out.
 * Every interpolated value is HTML-escaped; links must be absolute http(s) URLs. No images, no
 * tracking; each mail ends with a line saying why the recipient got it.
 */

export interface TemplateData {
  /** Magic sign-in link for practice users and auditors. */
  sign_in_link: { link: string; expiresMinutes: number; appName?: string };
  invitation: { link: string; inviterName: string; organisationName: string; role: string; expiresHours: number };
  auditor_invitation: {
    link: string;
    practiceName: string;
    inviterName: string;
    validFrom: string;
    validUntil: string;
  };
  /** To the partner: the sign-up waits for approval. */
  partner_pending: { partnerName: string };
  partner_approved: { partnerName: string; signInUrl: string };
  partner_rejected: { partnerName: string; reason: string };
  /** To platform admins: a partner waits for approval. */
  partner_signup_review: { partnerName: string; email: string; reviewUrl: string };
  /** To the practice owner: the platform admin approved or rejected the move to another partner. */
  practice_transfer_decided: {
    practiceName: string;
    fromPartnerName: string;
    toPartnerName: string;
    isApproved: boolean;
    note: string | null;
  };
  /** A notification channel's message (an event, or a digest of several). */
  notification: { title: string; lines: string[]; link?: string; channelName: string };
}

export type TemplateName = keyof TemplateData;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const PRODUCT = 'OsirisCare';

/** One part of a mail body: a paragraph, or a link shown as a button with the address below it. */
type Block = { paragraph: string } | { link: string; label: string };

interface Mail {
  subject: string;
  blocks: Block[];
  footer: string;
}

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** An absolute http(s) URL, or an error: a mail must never carry a javascript: or relative link. */
function absoluteLink(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('Email link must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('Email link must be an http(s) URL');
  return url.toString();
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "3 March 2026, 14:05 UTC" from an ISO timestamp. */
function utcDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error('Email date must be an ISO timestamp');
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** Subjects are one line whatever the data holds. */
const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();

const BUILDERS: { [T in TemplateName]: (data: TemplateData[T]) => Mail } = {
  sign_in_link: (d) => {
    const app = d.appName ?? PRODUCT;
    return {
      subject: `Your sign-in link for ${app}`,
      blocks: [
        { paragraph: `Use the link below to sign in to ${app}.` },
        { link: absoluteLink(d.link), label: 'Sign in' },
        {
          paragraph: `The link works once and expires in ${plural(d.expiresMinutes, 'minute')}. If you did not ask to sign in, you can ignore this email; nobody can sign in without the link.`,
        },
      ],
      footer: `You received this email because someone asked for a sign-in link to ${app} for this address.`,
    };
  },
  invitation: (d) => ({
    subject: `You are invited to ${d.organisationName} on ${PRODUCT}`,
    blocks: [
      {
        paragraph: `${d.inviterName} invited you to join ${d.organisationName} on ${PRODUCT} as ${d.role}.`,
      },
      { link: absoluteLink(d.link), label: 'Accept the invitation' },
      { paragraph: `The invitation expires in ${plural(d.expiresHours, 'hour')}.` },
    ],
    footer: `You received this email because ${d.inviterName} invited this address to ${PRODUCT}. If you did not expect it, you can ignore it.`,
  }),
  auditor_invitation: (d) => ({
    subject: `Auditor access to ${d.practiceName} on ${PRODUCT}`,
    blocks: [
      {
        paragraph: `${d.inviterName} gave you read-only auditor access to the compliance records of ${d.practiceName}.`,
      },
      { paragraph: `Your access is valid from ${utcDate(d.validFrom)} until ${utcDate(d.validUntil)}.` },
      { link: absoluteLink(d.link), label: 'Open the auditor portal' },
    ],
    footer: `You received this email because ${d.inviterName} invited this address as an auditor of ${d.practiceName}. If you did not expect it, you can ignore it.`,
  }),
  partner_pending: (d) => ({
    subject: `Your ${PRODUCT} partner sign-up is waiting for approval`,
    blocks: [
      { paragraph: `Thank you for signing up ${d.partnerName} as a ${PRODUCT} partner.` },
      {
        paragraph:
          'Our team reviews every new partner before the account opens. We will email you as soon as it is approved; there is nothing else you need to do now.',
      },
    ],
    footer: `You received this email because this address was used to sign up a partner on ${PRODUCT}.`,
  }),
  partner_approved: (d) => ({
    subject: `Your ${PRODUCT} partner account is approved`,
    blocks: [
      {
        paragraph: `${d.partnerName} is now approved as a ${PRODUCT} partner. You can sign in and add your first practice.`,
      },
      { link: absoluteLink(d.signInUrl), label: 'Sign in' },
    ],
    footer: `You received this email because this address signed up a partner on ${PRODUCT}.`,
  }),
  partner_rejected: (d) => ({
    subject: `Your ${PRODUCT} partner sign-up was not approved`,
    blocks: [
      { paragraph: `We reviewed the partner sign-up for ${d.partnerName} and could not approve it.` },
      { paragraph: `Reason: ${d.reason}` },
      { paragraph: 'If you think this is a mistake, reply to this email and tell us more about your organisation.' },
    ],
    footer: `You received this email because this address signed up a partner on ${PRODUCT}.`,
  }),
  partner_signup_review: (d) => ({
    subject: `Partner sign-up waiting for approval: ${d.partnerName}`,
    blocks: [
      { paragraph: `${d.partnerName} (${d.email}) signed up as a partner and is waiting for approval.` },
      { link: absoluteLink(d.reviewUrl), label: 'Review the sign-up' },
    ],
    footer: `You received this email because you are a platform administrator of ${PRODUCT}.`,
  }),
  practice_transfer_decided: (d) => ({
    subject: d.isApproved
      ? `${d.practiceName} now belongs to ${d.toPartnerName}`
      : `The move of ${d.practiceName} to ${d.toPartnerName} was not approved`,
    blocks: [
      {
        paragraph: d.isApproved
          ? `The request to move ${d.practiceName} from ${d.fromPartnerName} to ${d.toPartnerName} was approved. ${d.toPartnerName} now manages the practice, and ${d.fromPartnerName} no longer has access to it.`
          : `The request to move ${d.practiceName} from ${d.fromPartnerName} to ${d.toPartnerName} was not approved. ${d.fromPartnerName} still manages the practice.`,
      },
      ...(d.note ? [{ paragraph: `Note from the ${PRODUCT} team: ${d.note}` }] : []),
    ],
    footer: `You received this email because you are the owner of ${d.practiceName} on ${PRODUCT}.`,
  }),
  notification: (d) => ({
    subject: d.title,
    blocks: [
      ...d.lines.map((line) => ({ paragraph: line })),
      ...(d.link ? [{ link: absoluteLink(d.link), label: 'Open in OsirisCare' }] : []),
    ],
    footer: `You received this email because this address is on the notification channel "${d.channelName}" of ${PRODUCT}.`,
  }),
};

function toText(mail: Mail): string {
  const parts = mail.blocks.map((block) => ('paragraph' in block ? block.paragraph : `${block.label}: ${block.link}`));
  return `${parts.join('\n\n')}\n\n--\n${mail.footer}\n`;
}

function toHtml(mail: Mail): string {
  const body = mail.blocks
    .map((block) => {
      if ('paragraph' in block) return `<p style="margin:0 0 16px">${escapeHtml(block.paragraph)}</p>`;
      const href = escapeHtml(block.link);
      return (
        `<p style="margin:0 0 16px"><a href="${href}" style="display:inline-block;padding:10px 18px;` +
        `background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(block.label)}</a></p>` +
        `<p style="margin:0 0 16px;font-size:13px;color:#4b5563">Or open this address: ` +
        `<a href="${href}" style="color:#1d4ed8;word-break:break-all">${href}</a></p>`
      );
    })
    .join('\n');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(mail.subject)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f9fafb;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#111827">',
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border:1px solid #e5e7eb;border-radius:6px">',
    body,
    `<p style="margin:24px 0 0;padding-top:16px;border-top:1px solid #e5e7eb;font-size:12px;color:#6b7280">${escapeHtml(mail.footer)}</p>`,
    '</div></body></html>',
  ].join('\n');
}

/** Render a template; throws on a link that is not an absolute http(s) URL or a bad date. */
export function renderEmail<T extends TemplateName>(template: T, data: TemplateData[T]): RenderedEmail {
  const builder = BUILDERS[template] as (data: TemplateData[T]) => Mail;
  if (!builder) throw new Error(`Unknown email template ${String(template)}`);
  const mail = builder(data);
  const subject = oneLine(mail.subject);
  return { subject, text: toText({ ...mail, subject }), html: toHtml({ ...mail, subject }) };
}
