import { describe, expect, it } from 'vitest';
import { renderEmail, type TemplateData, type TemplateName } from './email.templates';

const LINK = 'https://central.example/v1/auth/link?token=abc&next=%2F';

const samples: { [T in TemplateName]: TemplateData[T] } = {
  sign_in_link: { link: LINK, expiresMinutes: 15 },
  invitation: {
    link: LINK,
    inviterName: 'Dana Admin',
    organisationName: 'Northside MSP',
    role: 'operator',
    expiresHours: 72,
  },
  auditor_invitation: {
    link: LINK,
    practiceName: 'Riverside Dental',
    inviterName: 'Dana Admin',
    validFrom: '2026-03-03T14:05:00.000Z',
    validUntil: '2026-04-01T00:00:00Z',
  },
  partner_pending: { partnerName: 'Northside MSP' },
  partner_approved: { partnerName: 'Northside MSP', signInUrl: 'https://central.example/sign-in' },
  partner_rejected: { partnerName: 'Northside MSP', reason: 'We could not verify the business.' },
  partner_signup_review: {
    partnerName: 'Northside MSP',
    email: 'owner@northside.example',
    reviewUrl: 'https://central.example/admin/partners/1',
  },
  practice_transfer_decided: {
    practiceName: 'Riverside Dental',
    fromPartnerName: 'Northside MSP',
    toPartnerName: 'Southside IT',
    isApproved: true,
    note: 'Moved at the request of the practice owner.',
  },
  notification: {
    title: '[P1] Escalation overdue at Riverside Dental',
    lines: ['Root can log in over SSH on web01.'],
    link: 'https://central.example/partner/escalations',
    channelName: 'On-call',
  },
};
const names = Object.keys(samples) as TemplateName[];

describe('email templates', () => {
  it.each(names)('%s renders a subject, a text part and an HTML part with a footer', (name) => {
    const mail = renderEmail(name, samples[name] as never);
    expect(mail.subject.length).toBeGreaterThan(10);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text).toMatch(/You received this email because/);
    expect(mail.html).toMatch(/You received this email because/);
    expect(mail.html).toMatch(/^<!doctype html>/);
    // No images, so nothing can track opening.
    expect(mail.html).not.toMatch(/<img/i);
  });

  it('puts the sign-in link, absolute, in both parts and says when it expires', () => {
    const mail = renderEmail('sign_in_link', { link: LINK, expiresMinutes: 15, appName: 'OsirisCare Audit' });
    expect(mail.subject).toBe('Your sign-in link for OsirisCare Audit');
    expect(mail.text).toContain(LINK);
    expect(mail.text).toContain('15 minutes');
    expect(mail.html).toContain(`href="${LINK.replaceAll('&', '&amp;')}"`);
    expect(renderEmail('sign_in_link', { link: LINK, expiresMinutes: 1 }).text).toContain('1 minute.');
  });

  it('escapes every value in the HTML part', () => {
    const evil = '<script>alert("x")</script> & \'friends\'';
    const mail = renderEmail('invitation', {
      link: LINK,
      inviterName: evil,
      organisationName: evil,
      role: evil,
      expiresHours: 1,
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;');
    // The text part is plain text: shown as typed.
    expect(mail.text).toContain(evil);
    const review = renderEmail('partner_signup_review', {
      partnerName: '<b>bold</b>',
      email: 'a"b@example.com',
      reviewUrl: 'https://central.example/review?a=1&b="2"',
    });
    expect(review.html).not.toMatch(/<b>|"2"/);
    expect(review.html).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });

  it('refuses links that are not absolute http(s) URLs', () => {
    for (const link of ['javascript:alert(1)', '/relative/path', 'ftp://files.example/x', 'data:text/html,hi', '']) {
      expect(() => renderEmail('sign_in_link', { link, expiresMinutes: 5 })).toThrow(/http\(s\) URL/);
    }
    expect(() => renderEmail('partner_approved', { partnerName: 'P', signInUrl: 'javascript:alert(1)' })).toThrow();
    expect(renderEmail('sign_in_link', { link: 'http://127.0.0.1:8080/x', expiresMinutes: 5 }).text).toContain(
      'http://127.0.0.1:8080/x',
    );
  });

  it('shows auditor access dates as readable UTC dates', () => {
    const mail = renderEmail('auditor_invitation', samples.auditor_invitation);
    expect(mail.text).toContain('from 3 March 2026, 14:05 UTC until 1 April 2026, 00:00 UTC');
    expect(() => renderEmail('auditor_invitation', { ...samples.auditor_invitation, validFrom: 'soon' })).toThrow(
      /ISO timestamp/,
    );
  });

  it('keeps subjects on one line whatever the data holds', () => {
    const mail = renderEmail('partner_signup_review', {
      ...samples.partner_signup_review,
      partnerName: 'Evil\r\nBcc: victim@example.com',
    });
    expect(mail.subject).toBe('Partner sign-up waiting for approval: Evil Bcc: victim@example.com');
  });

  it('gives the rejection reason and no link', () => {
    const mail = renderEmail('partner_rejected', samples.partner_rejected);
    expect(mail.text).toContain('Reason: We could not verify the business.');
    expect(mail.html).not.toContain('href=');
  });
});
