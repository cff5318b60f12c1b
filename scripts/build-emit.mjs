// Part of `npm run build`: bundles the installed command's `hookd emit`
// (dist/cli/emit-main.js, compiled by tsc just before) with every hookd module
// it imports into one CommonJS file, dist/cli/emit.cjs, which bin/hookd runs.
// Why: bitcoind runs `hookd emit` per block and wallet transaction, and a
// single CommonJS file starts in about 1.2x the time of Node.js alone, where
// the same code as a dozen ES modules took 1.5x (Node's module loader,
// resolving and reading each file). npm packages stay outside the bundle,
// loaded from node_modules as before (only the paths emit rarely takes use
// any). esbuild: a well-kept bundler, already here under tsx.
import { buildSync } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

buildSync({
  entryPoints: [path.join(root, 'dist', 'cli', 'emit-main.js')],
  outfile: path.join(root, 'dist', 'cli', 'emit.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  // import.meta has no meaning in CommonJS: fail rather than ship a bundle where it is empty.
  logOverride: { 'empty-import-meta': 'error' },
  logLevel: 'warning',
});
