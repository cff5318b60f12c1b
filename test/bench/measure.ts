// Tools of dispatch.bench.ts: time a child from spawn to exit, watch its peak
// memory while it runs, take medians over rounds, wait for a socket.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface ChildTiming {
  readonly seconds: number;
  // VmHWM, the most the process held at once, in MiB (last reading before exit).
  readonly peakMiB: number;
}

// Spawns with `stdin` (an open file descriptor, or text to write) and waits
// for exit 0; `onRss` gets the child's resident memory (MiB) at each reading.
export async function timeChild(command: string, args: readonly string[], stdin: number | string, env?: NodeJS.ProcessEnv, onRss?: (mib: number) => void): Promise<ChildTiming> {
  const started = performance.now();
  const child = spawn(command, [...args], { env, stdio: [typeof stdin === 'number' ? stdin : 'pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  let peakMiB = 0;
  const watch = setInterval(() => {
    peakMiB = Math.max(peakMiB, statusMiB(child.pid, 'VmHWM'));
    if (onRss === undefined) return;
    const rss = statusMiB(child.pid, 'VmRSS');
    if (rss > 0) onRss(rss);
  }, 50);
  if (typeof stdin === 'string') {
    child.stdin?.on('error', () => {});
    child.stdin?.end(stdin);
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  clearInterval(watch);
  if (code !== 0) throw new Error(`${command} exited ${code}: ${stderr.trim().split('\n')[0] ?? ''}`);
  return { seconds: (performance.now() - started) / 1000, peakMiB };
}

// A field of /proc/PID/status in MiB (VmRSS, VmHWM), 0 once the process is gone.
export function statusMiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (pid === undefined) return 0;
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

// Median wall time of a short command, in ms, over `runs` runs after one warm-up.
export function startupMs(command: string, args: readonly string[], runs: number): number | string {
  const samples: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const started = performance.now();
    const result = spawnSync(command, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.status !== 0) return (result.stderr || result.stdout || result.error?.message || `exit ${result.status}`).trim().split('\n')[0] as string;
    if (run > 0) samples.push(performance.now() - started);
  }
  return median(samples);
}

export async function waitForPath(file: string, what: string, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!existsSync(file)) {
    if (!isAlive() || Date.now() > deadline) throw new Error(`${what} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// `name` on PATH, or undefined.
export function onPath(name: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
