// Which launcher runs hooks in this process: in-process until the daemon
// picks hookd-spawner at start (config `spawner:`).
import { launchInProcess } from './launch-node.js';
import type { Launcher } from './launch.js';

export type LauncherName = 'node' | 'helper';

let current: { readonly name: LauncherName; readonly launch: Launcher } = { name: 'node', launch: launchInProcess };

export function selectLauncher(name: LauncherName, launch: Launcher): void {
  current = { name, launch };
}

export function currentLauncher(): { readonly name: LauncherName; readonly launch: Launcher } {
  return current;
}
