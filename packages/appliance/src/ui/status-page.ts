import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderStatusHtml, type StatusSnapshot } from './status-html';

export type { StatusSnapshot } from './status-html';

const HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
};

/**
 * The local status page: read-only, on loopback unless configured otherwise. `/` is HTML for
 * people (refreshes itself), `/status.json` the same facts for scripts. Nothing here writes.
 */
export async function startStatusPage(options: { host: string; port: number; status: () => StatusSnapshot }) {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('read-only\n');
      return;
    }
    const path = (request.url ?? '/').split('?')[0];
    try {
      if (path === '/status.json') {
        response.writeHead(200, { ...HEADERS, 'content-type': 'application/json' });
        response.end(request.method === 'HEAD' ? undefined : JSON.stringify(options.status(), null, 2));
      } else if (path === '/') {
        response.writeHead(200, { ...HEADERS, 'content-type': 'text/html; charset=utf-8' });
        response.end(request.method === 'HEAD' ? undefined : renderStatusHtml(options.status()));
      } else {
        response.writeHead(404, { ...HEADERS, 'content-type': 'text/plain' }).end('not found\n');
      }
    } catch (error) {
      response
        .writeHead(500, { ...HEADERS, 'content-type': 'text/plain' })
        .end(`status unavailable: ${(error as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
