#!/usr/bin/env node
// npm links this file as `osiris-appliance`; it loads the TypeScript CLI through tsx's loader in-process.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2), process.env);
