// Runs the phases of backlog-phase.mjs (fill, then a restart that drains) in
// child processes and returns what each reported: the test suite and
// `npm run bench` both use it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PHASE_SCRIPT = path.join(HERE, 'backlog-phase.mjs');

// The node flags of bin/hookd.js's "#!/usr/bin/env -S node FLAGS" line: the
// phases run under the same V8 settings as hookd does.
export function hookdNodeFlags(): string[] {
  const shebang = readFileSync(path.join(HERE, '..', '..', 'bin', 'hookd.js'), 'utf8').split('\n')[0] ?? '';
  const words = shebang.split(/\s+/);
  return words.slice(words.indexOf('node') + 1).filter((word) => word.startsWith('--'));
}

export interface PhaseReport {
  readonly phase: 'fill' | 'drain';
  readonly events: number;
  readonly ms: number;
  readonly peakRssKiB: number;
}

function runPhase(args: string[]): Promise<PhaseReport> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...hookdNodeFlags(), PHASE_SCRIPT, ...args], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
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
