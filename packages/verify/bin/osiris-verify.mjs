#!/usr/bin/env node
// npm links this file as `osiris-verify`; it loads the TypeScript CLI through tsx's loader in-process.
// `npm run build -w osiris-verify` makes dist/osiris-verify.mjs, one plain-JS file that needs only node.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
