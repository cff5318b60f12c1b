// Starting a run's program through hookd-spawner (a small process forks much
// faster than hookd can).
import type { LaunchHandlers, Launched, Launcher, LaunchRequest } from './launch.js';
import type { SpawnerClient } from './spawner-client.js';

export function spawnerLauncher(client: SpawnerClient): Launcher {
  return (request: LaunchRequest, handlers: LaunchHandlers): Launched =>
    client.run(
      {
        file: request.command,
        argv: [request.command, ...request.args],
        env: request.env,
        cwd: request.cwd,
        input: Buffer.from(`${request.input}\n`),
      },
      handlers,
    );
}
