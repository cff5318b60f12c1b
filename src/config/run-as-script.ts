// The script of a hook run as another user, checked from that user's point
// of view: it must be executable by the user, and nobody but root and the
// user may be able to change it (the file, or a folder on its path).
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { RunAs } from './run-as.js';

const STICKY = 0o1000;

// Why the script may not run as that user, or undefined when it may.
export function runAsScriptProblem(file: string, runAs: RunAs): string | undefined {
  const stats = statSync(file);
  const writer = otherWriter(stats, runAs);
  if (writer !== undefined) return `refusing a script that ${writer} can change, for a hook run as ${runAs.user}: ${file} (E_SCRIPT_PERM)`;
  if (!executableBy(stats, runAs)) return `script is not executable by ${runAs.user}: ${file} (E_SCRIPT_PERM)`;
  // A folder others can write lets them swap the script (a sticky folder, like /tmp, does not).
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const folder = statSync(dir);
    const folderWriter = folder.mode & STICKY ? undefined : otherWriter(folder, runAs);
    if (folderWriter !== undefined) return `refusing a script in a folder that ${folderWriter} can change, for a hook run as ${runAs.user}: ${dir} (E_SCRIPT_PERM)`;
    if (dir === path.dirname(dir)) return undefined;
  }
}

// Who other than root and the user can write it: "uid 1001 (its owner)",
// "group 100", "everyone"; undefined when nobody.
function otherWriter(stats: Stats, runAs: RunAs): string | undefined {
  if (stats.mode & 0o002) return 'everyone';
  if (stats.mode & 0o020 && stats.gid !== 0) return `group ${stats.gid}`;
  if (stats.mode & 0o200 && stats.uid !== 0 && stats.uid !== runAs.uid) return `uid ${stats.uid} (its owner)`;
  return undefined;
}

function executableBy(stats: Stats, runAs: RunAs): boolean {
  if (stats.uid === runAs.uid) return (stats.mode & 0o100) !== 0;
  if (runAs.groups.includes(stats.gid)) return (stats.mode & 0o010) !== 0;
  return (stats.mode & 0o001) !== 0;
}
