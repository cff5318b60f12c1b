// Part of `npm run build`: compiles native/spawner.c into dist/native/hookd-spawner
// when a C compiler is present ($CC, else cc), and skips with one line otherwise:
// hookd then spawns in-process. The binary ships in the npm package for the
// platform it was packed on; hookd checks at start that it runs here.
// SPAWNER_REQUIRED=1 (CI) turns a missing compiler or a failed build into an error.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'native', 'spawner.c');
// An argument names another target (tests build their own copy).
const target = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'dist', 'native', 'hookd-spawner');
const required = process.env.SPAWNER_REQUIRED === '1';

function skip(reason) {
  const line = `hookd-spawner not built (${reason}); hookd will spawn hooks in-process`;
  if (required) {
    process.stderr.write(`${line}\nSPAWNER_REQUIRED=1: failing\n`);
    process.exit(1);
  }
  process.stderr.write(`${line}\n`);
  process.exit(0);
}

if (!existsSync(source)) skip('no native/spawner.c');
if (process.platform !== 'linux') skip(`it needs Linux (epoll, signalfd), this is ${process.platform}`);
const compiler = process.env.CC || 'cc';
mkdirSync(path.dirname(target), { recursive: true });
// Built aside and renamed: a running hookd never sees a half-written binary.
const partial = `${target}.partial`;
const build = spawnSync(compiler, ['-O2', '-std=c11', '-Wall', '-Wextra', '-o', partial, source], { encoding: 'utf8' });
if (build.error) skip(`${compiler}: ${build.error.code ?? build.error.message}`);
if (build.status !== 0) {
  rmSync(partial, { force: true });
  skip(`${compiler} failed: ${(build.stderr || build.stdout).trim().split('\n')[0]}`);
}
renameSync(partial, target);
