// The installed command's way into `hookd emit` (bin/hookd): bitcoind runs it
// on every block and wallet transaction, so it starts as little as it can.
// `npm run build` bundles this file with everything it imports from hookd
// into one CommonJS file, dist/cli/emit.cjs (scripts/build-emit.mjs): loading
// one CommonJS file skips Node's ES module loader and the resolving and
// reading of a dozen modules, about a fifth of emit's whole run. What it does
// is the same as `hookd emit` through main.ts, which `node bin/hookd.js emit`
// still takes.
import * as emit from './emit.js';
import { exitQuietlyOnClosedStdout, runCommandModule } from './command-entry.js';

// bin/hookd starts Node.js with `-e`, then its own path, then `emit`.
const EMIT_ARGUMENTS_FROM = 3;

exitQuietlyOnClosedStdout();
void runCommandModule(emit, process.argv.slice(EMIT_ARGUMENTS_FROM)).then((code) => {
  process.exitCode = code;
});
