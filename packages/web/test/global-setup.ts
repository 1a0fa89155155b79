import { ensureBuilt } from './browser';

/** Vitest global setup: build the web app once, before any browser test starts a server on it. */
export default async function setup(): Promise<void> {
  await ensureBuilt();
}
