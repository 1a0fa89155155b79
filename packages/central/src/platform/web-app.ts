import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { App } from './http';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * Serves the web app (packages/web, built by `npm run build -w @osiris/web`) from `dir`: hashed
 * assets under /assets/ with a year of caching, and index.html for every other page path so the
 * app's own router handles it. Not registered when the app is not built.
 */
export function registerWebApp(app: App, dir: string): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    app.log.warn({ dir }, 'the web app is not built (npm run build -w @osiris/web); serving the API only');
    return false;
  }
  const assets = resolve(dir, 'assets');
  app.get('/assets/*', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const file = resolve(assets, name);
    if (!file.startsWith(assets + sep) || !TYPES[extname(file)] || !existsSync(file))
      return reply.code(404).type('text/plain').send('not found');
    return reply
      .type(TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(await readFile(file));
  });
  const page = async (_request: unknown, reply: { type: (t: string) => { send: (b: Buffer) => unknown } }) =>
    reply.type('text/html; charset=utf-8').send(await readFile(index));
  for (const path of [
    '/',
    '/sign-in',
    '/join',
    '/admin',
    '/admin/*',
    '/partner',
    '/partner/*',
    '/practice',
    '/practice/*',
    '/auditor',
    '/auditor/*',
  ])
    app.get(path, { config: { access: 'public' }, schema: { hide: true } }, page);
  return true;
}
