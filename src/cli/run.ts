// `hookd [run]`: the daemon.
import { loadConfig } from '../config/load.js';
import { Daemon } from '../daemon.js';
import { createLogger, LOG_FORMATS, LOG_LEVELS } from '../log.js';
import { choiceOption, CONFIG_OPTION, parseCommandLine, stringOption } from './args.js';
import { reportError } from './report.js';

export const HELP = `hookd run - the daemon

Usage:
  hookd [run] [-c PATH] [--log-level LEVEL] [--log-format FORMAT]

Reads events from the config's sources (stdin by default; a followed file,
a unix socket, an inbox folder), runs every matching hook, and logs one JSON
line per run. With only finite sources (stdin) it exits 0 once they end and
every run is over. An edit of the config file is picked up while it runs.

Options:
  -c, --config PATH     the config file (default: $HOOKD_CONFIG, else the search)
  --log-level LEVEL     trace, debug, info (default), warn, error, fatal, silent
  --log-format FORMAT   json (default off a terminal) or pretty (default on one)

Signals:
  SIGTERM, SIGINT   stop reading, let running hooks finish (shutdown_timeout), exit 0
  second SIGINT     exit at once (130), killing the running hooks
  SIGHUP            reload the config (as an edit of the file does)

Exit status: 0 stopped cleanly; 75 the socket is held by another hookd;
78 the config is invalid.

Examples:
  hookd -c hooks.example/hookd.yaml < hooks.example/events.jsonl
  tail -F events.jsonl | hookd --log-format pretty
`;

const OPTIONS = {
  ...CONFIG_OPTION,
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
} as const;

export async function command(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('run', argv, OPTIONS, false);
  const level = choiceOption('run', parsed, 'log-level', LOG_LEVELS);
  const format = choiceOption('run', parsed, 'log-format', LOG_FORMATS);
  const log = createLogger({ level, format });
  let config;
  try {
    config = await loadConfig({ path: stringOption(parsed, 'config') });
  } catch (error) {
    return reportError(error);
  }
  const daemon = new Daemon({ config, log });
  await daemon.start();
  return daemon.exited;
}
