import { runAgentsBench } from './agents.bench';
import { runCycleBench } from './cycle.bench';
import { runIngestBench } from './ingest.bench';
import { runLoginBench } from './login.bench';
import { runMerkleBench } from './merkle.bench';
import { runWebBench } from './web.bench';

/** `npm run bench -- <name> [options]`: one registry of benchmarks, each prints its own report. */
const BENCHES: Record<string, (args: string[]) => Promise<void>> = {
  agents: runAgentsBench,
  cycle: runCycleBench,
  ingest: runIngestBench,
  login: runLoginBench,
  merkle: runMerkleBench,
  web: runWebBench,
};

const [name, ...rest] = process.argv.slice(2);
const bench = name ? BENCHES[name] : undefined;
if (!bench) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]\n`);
  process.exit(2);
}
bench(rest).then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench ${name} failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
