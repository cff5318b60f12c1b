// `npm run bench`: runs every *.bench.ts module of this folder, one after the
// other (in name order), each printing its own table. A module exports
// `run(): Promise<void>`. BENCH_ONLY=dispatch runs only dispatch.bench.ts.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchModule {
  run(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH_ONLY;
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => only === undefined || name === `${only}.bench.ts`)
  .sort();

if (files.length === 0) {
  process.stderr.write(`no benchmark${only ? ` named ${only}` : ''} in ${here}\n`);
  process.exitCode = 1;
}
for (const file of files) {
  const module = (await import(pathToFileURL(path.join(here, file)).href)) as BenchModule;
  process.stdout.write(`\n== ${file}\n`);
  await module.run();
}
