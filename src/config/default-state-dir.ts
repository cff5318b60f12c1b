// Where the state directory is when the config does not say: systemd's
// StateDirectory= (it sets $STATE_DIRECTORY, several paths joined by ":" when
// the unit lists several; the first is ours), else the XDG base directory for
// state, else ~/.local/state/hookd.
import { homedir } from 'node:os';
import path from 'node:path';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home: () => string = homedir): string {
  const systemd = env.STATE_DIRECTORY?.split(':').find((dir) => dir !== '');
  if (systemd !== undefined) return path.resolve(systemd);
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME;
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, 'hookd');
  return path.join(home(), '.local', 'state', 'hookd');
}

// `state:` as written: "~/x" is under the home folder, a relative path under
// the config's folder.
export function resolveStateDir(value: string, configDir: string, home: () => string = homedir): string {
  if (value === '~' || value.startsWith('~/')) return path.join(home(), value.slice(1));
  return path.resolve(configDir, value);
}
