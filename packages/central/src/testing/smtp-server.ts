import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

interface ReceivedMail {
  /** Envelope recipients. */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** The first mail to this address (received already or within timeoutMs). */
  waitFor(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** Every distinct http(s) link of a mail: the HTML hrefs, then the URLs in the text part. */
  links(mail: ReceivedMail): string[];
  close(): Promise<void>;
}

function extractLinks(mail: ReceivedMail): string[] {
  const found = [
    ...[...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&')),
    ...[...mail.text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0]),
  ];
  return [...new Set(found)];
}

/**
 * A real SMTP server on loopback (no TLS, no auth required) that keeps what it receives, parsed.
 * Pass a port to come back up where an earlier one listened.
 */
export async function startTestSmtpServer(options: { port?: number } = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const waiters: { to: string; resolve: (mail: ReceivedMail) => void }[] = [];
  const matches = (mail: ReceivedMail, to: string) => mail.to.some((a) => a.toLowerCase() === to.toLowerCase());

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: ReceivedMail = {
            to: session.envelope.rcptTo.map((r) => r.address),
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          };
          messages.push(mail);
          for (const waiter of waiters.filter((w) => matches(mail, w.to))) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(mail);
          }
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    waitFor(to, timeoutMs = 5_000) {
      const received = messages.find((m) => matches(m, to));
      if (received) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const waiter = {
          to,
          resolve: (mail: ReceivedMail) => {
            clearTimeout(timer);
            resolve(mail);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    links: extractLinks,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
