#!/usr/bin/env -S node --max-semi-space-size=1
// Thin launcher: everything lives in the built CLI. The flag keeps V8's young
// generation small (1 MiB semi-spaces, not 16): with a backlog draining, that
// is ~30 MB of resident memory less (docs/operations.md, "Memory").
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
