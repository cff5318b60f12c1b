// hookd's throughput beside the two things an operator would otherwise use:
// raw child_process.spawn in a Node loop, and a `while read` bash loop with
// background jobs. Same events, same trivial hook (reads stdin, exits 0), same
// concurrency. BENCH_EVENTS (default 2000) and BENCH_CONCURRENCY (default 8).
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BIN, FIXTURES, cleanEnv } from '../helpers.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const HOOK = path.join(FIXTURES, 'noop.sh');

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookd-bench-'));
  try {
    const lines = Array.from({ length: EVENTS }, (_, i) => `{"type":"bench","id":"e${i + 1}","n":${i + 1},"msat":18446744073709551615}`);
    const eventsFile = path.join(dir, 'events.jsonl');
    writeFileSync(eventsFile, `${lines.join('\n')}\n`);
    const config = path.join(dir, 'hookd.yaml');
    writeFileSync(config, `state: false\nconcurrency: ${CONCURRENCY}\nhooks:\n  - { name: noop, on: "*", run: ${HOOK}, concurrency: ${CONCURRENCY} }\n`);

    process.stdout.write(`${EVENTS} events, concurrency ${CONCURRENCY}, hook ${path.relative(process.cwd(), HOOK)}, ${cpus().length} CPUs\n`);
    const hookd = await timed(() => runHookd(config, eventsFile));
    const raw = await timed(() => runRawSpawn(lines));
    const shell = await timed(() => runShellLoop(eventsFile));
    const rows: [string, number][] = [
      ['hookd (stdin, state: false, log warn)', hookd],
      ['raw child_process.spawn loop', raw],
      ['bash while read + wait -n', shell],
    ];
    process.stdout.write(`${'runner'.padEnd(40)}${'seconds'.padStart(9)}${'events/s'.padStart(11)}\n`);
    for (const [name, seconds] of rows) {
      process.stdout.write(`${name.padEnd(40)}${seconds.toFixed(2).padStart(9)}${(EVENTS / seconds).toFixed(0).padStart(11)}\n`);
    }
    process.stdout.write(`hookd/raw: ${(raw / hookd).toFixed(2)}   hookd/shell: ${(shell / hookd).toFixed(2)}   (events/s ratios; 1.00 = as fast)\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

// The built bin, start to exit, events from a file on stdin.
async function runHookd(config: string, eventsFile: string): Promise<void> {
  const input = openSync(eventsFile, 'r');
  try {
    const child = spawn(process.execPath, [BIN, '-c', config, '--log-level', 'warn', '--log-format', 'json'], {
      env: cleanEnv(),
      stdio: [input, 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0 || output !== '') throw new Error(`hookd exited ${code}: ${output.slice(0, 500)}`);
  } finally {
    closeSync(input);
  }
}

// CONCURRENCY workers, each spawning the hook for the next event.
async function runRawSpawn(lines: readonly string[]): Promise<void> {
  let next = 0;
  const env = cleanEnv();
  const worker = async (): Promise<void> => {
    while (next < lines.length) {
      const line = lines[next++] as string;
      const child = spawn(HOOK, [], { env, stdio: ['pipe', 'ignore', 'ignore'] });
      child.stdin.on('error', () => {});
      child.stdin.end(`${line}\n`);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      if (code !== 0) throw new Error(`hook exited ${code}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

// What an operator would write in bash: one background job per line, at most
// CONCURRENCY at once.
async function runShellLoop(eventsFile: string): Promise<void> {
  const script = `
running=0
while IFS= read -r line; do
  printf '%s\\n' "$line" | "$HOOK" &
  running=$((running + 1))
  if [ "$running" -ge "$CONCURRENCY" ]; then wait -n; running=$((running - 1)); fi
done < "$EVENTS_FILE"
wait
`;
  const child = spawn('bash', ['-c', script], {
    env: cleanEnv({ HOOK, CONCURRENCY: String(CONCURRENCY), EVENTS_FILE: eventsFile }),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bash loop exited ${code}`);
}
