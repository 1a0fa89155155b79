#!/usr/bin/env node
// npm links this file as `osiris-agent`; it loads the TypeScript CLI through tsx's loader in-process.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
