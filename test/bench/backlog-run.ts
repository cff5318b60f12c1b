// Runs the phases of backlog-phase.mjs (fill, then a restart that drains) in
// child processes and returns what each reported: the test suite and
// `npm run bench` both use it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PHASE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'backlog-phase.mjs');

export interface PhaseReport {
  readonly phase: 'fill' | 'drain';
  readonly events: number;
  readonly ms: number;
  readonly peakRssKiB: number;
}

function runPhase(args: string[]): Promise<PhaseReport> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [PHASE_SCRIPT, ...args], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`backlog ${args[0]} failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as PhaseReport);
    });
  });
}

// Fill `dir` (an empty folder) with `events` events of ~1 KB, then drain them after a restart.
export async function fillAndDrain(dir: string, events: number): Promise<{ fill: PhaseReport; drain: PhaseReport }> {
  const fill = await runPhase(['fill', dir, String(events)]);
  const drain = await runPhase(['drain', dir]);
  return { fill, drain };
}
