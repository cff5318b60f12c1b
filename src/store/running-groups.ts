// The process groups of the hooks running now, one small file each under
// <state>/running/ (named by the group's id, its leader's pid), so that a
// hookd started after a crash can end the runs the last one left behind
// before it runs their deliveries again. Not fsynced: a kill -9 of hookd
// keeps the page cache, and a power loss ends the runs as well.
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const RUNNING_DIR = 'running';

export interface RunningGroup {
  readonly pid: number;
  readonly hook: string;
  readonly killAfterMs: number;
  // processStartTicks of the leader: a pid reused since is not this group.
  readonly startTicks: string | undefined;
}

// Told by the dispatcher when a run's process group starts and ends.
export interface RunRecorder {
  started(group: RunningGroup): void;
  ended(pid: number): void;
}

export class RunningGroups implements RunRecorder {
  // `dir` is <state>/running.
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  // A record that cannot be written costs only the protection it gives.
  started(group: RunningGroup): void {
    try {
      writeFileSync(this.fileOf(group.pid), JSON.stringify(group), { mode: 0o600 });
    } catch {
      // a full disk: hookd refuses events anyway and says so
    }
  }

  ended(pid: number): void {
    try {
      unlinkSync(this.fileOf(pid));
    } catch {
      // gone already
    }
  }

  // The groups a previous hookd recorded and did not see end.
  leftBehind(): RunningGroup[] {
    const groups: RunningGroup[] = [];
    for (const name of readdirSync(this.dir)) {
      try {
        const group = JSON.parse(readFileSync(path.join(this.dir, name), 'utf8')) as RunningGroup;
        if (Number.isInteger(group.pid) && group.pid > 1 && String(group.pid) === name) groups.push(group);
        else this.forget(name);
      } catch {
        this.forget(name);
      }
    }
    return groups;
  }

  private forget(name: string): void {
    try {
      unlinkSync(path.join(this.dir, name));
    } catch {
      // gone already
    }
  }

  private fileOf(pid: number): string {
    return path.join(this.dir, String(pid));
  }
}
