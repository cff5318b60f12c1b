#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=50
// Thin launcher: everything lives in the built CLI. The flags keep V8's heap
// small: 1 MiB semi-spaces (not 16), and an old generation that grows by at
// most 1.5x between full collections (V8 picks 4x on a machine with a few GB,
// but 1.1-2x on a small one: the same backlog drained at 104 MB here and at
// 77 MB with a fixed 1.5x; docs/operations.md, "Memory").
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
