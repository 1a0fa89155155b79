import { main } from './cli';

// The program: `bin/osiris-verify.mjs` runs it through tsx, `npm run build` bundles it into dist/.
process.exitCode = await main(process.argv.slice(2));
