import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CentralServer, signInAs, startCentralServer } from '@osiris/central/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(WEB_DIR, 'dist');

/** Debian's chromium, headless, never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the app when dist/ is missing or older than its sources (one build per test run). */
export async function ensureBuilt(): Promise<void> {
  const built = existsSync(join(DIST, 'index.html')) ? statSync(join(DIST, 'index.html')).mtimeMs : 0;
  if (built > (await newestMtime(join(WEB_DIR, 'src')))) return;
  const { build } = await import('vite');
  // Vitest sets NODE_ENV=test, which would give React's development build.
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: WEB_DIR, mode: 'production', logLevel: 'warn', configFile: join(WEB_DIR, 'vite.config.ts') });
  } finally {
    process.env.NODE_ENV = before;
  }
}

export type Viewport = 'desktop' | 'mobile';
const VIEWPORTS: Record<Viewport, { width: number; height: number }> = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 390, height: 844 },
};

/**
 * A real Central Command on loopback serving the built web app, and a real chromium driving it.
 * `as(...)` opens a page already signed in as a partner, practice or auditor principal (their
 * sign-in flows are tested separately); `asAdmin()` signs in through the sign-in form.
 */
export async function startWebApp(overrides: Parameters<typeof startCentralServer>[1] = {}) {
  await ensureBuilt();
  const central: CentralServer = await startCentralServer('pglite', { WEB_DIR: DIST, ...overrides });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const contexts: BrowserContext[] = [];

  async function page(viewport: Viewport = 'desktop'): Promise<Page> {
    const context = await browser.newContext({ viewport: VIEWPORTS[viewport], baseURL: central.url });
    contexts.push(context);
    const created = await context.newPage();
    created.setDefaultTimeout(10_000);
    return created;
  }

  return {
    central,
    url: central.url,
    page,
    /** A page signed in through the staff form with a new platform user of this role. */
    async asStaff(role: 'admin' | 'operator' | 'readonly' = 'admin', viewport: Viewport = 'desktop') {
      const email = `${role}-${Math.random().toString(36).slice(2, 8)}@staff.example`;
      const password = `pw-${Math.random().toString(36).slice(2)}-long-enough`;
      await central.t.createUser(role, email, password);
      const p = await page(viewport);
      await p.goto('/sign-in');
      await p.getByLabel('Email').fill(email);
      await p.getByLabel('Password').fill(password);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.waitForURL('**/admin');
      return p;
    },
    /** A page signed in as a partner or practice person or an auditor (session made directly). */
    async as(spec: Parameters<typeof signInAs>[1], viewport: Viewport = 'desktop') {
      const principal = await signInAs(central.t, spec);
      const p = await page(viewport);
      await p.context().addCookies([
        {
          name: 'osiris_session',
          value: principal.session.token,
          url: central.url,
          httpOnly: true,
          sameSite: 'Strict',
        },
      ]);
      return Object.assign(p, { principal });
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await central.close();
    },
  };
}

export type WebApp = Awaited<ReturnType<typeof startWebApp>>;
