// `spawner:` at start: hookd-spawner when it runs here (auto, helper) or
// hookd itself (node, or auto without a working spawner). hookd says which in
// its start-up log. A spawner that keeps dying is given up for in-process
// spawning under auto; under helper it is restarted at each run.
import type { Logger } from 'pino';
import type { SpawnerChoice } from '../config/types.js';
import { HookdError, errorText } from '../errors.js';
import type { Launcher } from '../run/launch.js';
import { launchInProcess } from '../run/launch-node.js';
import { spawnerLauncher } from '../run/launch-spawner.js';
import { currentLauncher, selectLauncher, type LauncherName } from '../run/launcher.js';
import { SpawnerClient } from '../run/spawner-client.js';

export interface StartedLauncher {
  readonly name: LauncherName;
  // Ends the spawner (if any) once no run needs it.
  close(): Promise<void>;
}

export async function startLauncher(choice: SpawnerChoice, log: Logger, spawnerPath?: string): Promise<StartedLauncher> {
  if (choice === 'node') return useInProcess(log, 'spawner: node');
  let client: SpawnerClient;
  try {
    client = await SpawnerClient.start({ path: spawnerPath, onNotice: (message) => log.warn({ spawner: 'helper' }, message) });
  } catch (error) {
    if (choice === 'helper') throw new HookdError('E_CONFIG', `spawner: helper, but hookd-spawner cannot run: ${errorText(error)}`);
    return useInProcess(log, `hookd-spawner cannot run here: ${errorText(error)}`);
  }
  const viaSpawner = spawnerLauncher(client);
  let gaveUp = false;
  const launch: Launcher = (request, handlers) => {
    if (choice === 'auto' && !client.healthy) {
      if (!gaveUp) log.warn({ spawner: 'node' }, 'hookd-spawner keeps dying: hooks are started in-process from now on');
      gaveUp = true;
      return launchInProcess(request, handlers);
    }
    return viaSpawner(request, handlers);
  };
  selectLauncher('helper', launch);
  log.info({ spawner: 'helper', path: client.path, pid: client.pid }, 'hooks are started by hookd-spawner');
  return {
    name: 'helper',
    close: async () => {
      if (currentLauncher().launch === launch) selectLauncher('node', launchInProcess);
      await client.close();
    },
  };
}

function useInProcess(log: Logger, why: string): StartedLauncher {
  selectLauncher('node', launchInProcess);
  log.info({ spawner: 'node' }, `hooks are started in-process (${why})`);
  return { name: 'node', close: async () => {} };
}
