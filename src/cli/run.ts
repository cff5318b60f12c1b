// `hookd [run]`: the daemon.
import { isClnSource, unknownTopicWarnings } from '../config/cln-names.js';
import { loadConfig } from '../config/load.js';
import { Daemon } from '../daemon/daemon.js';
import { createLogger, LOG_FORMATS, LOG_LEVELS } from '../log/logger.js';
import { createServiceNotifier } from '../daemon/systemd-notify.js';
import { choiceOption, CONFIG_OPTION, parseCommandLine, stringOption } from './args.js';
import { reportError } from './report.js';

export const HELP = `NAME
  hookd run - the daemon: read events, run the matching hooks

SYNOPSIS
  hookd [run] [-c PATH] [--log-level LEVEL] [--log-format FORMAT]

DESCRIPTION
  Reads events from the config's sources (stdin by default; a followed
  file, a unix socket for hookd emit, an inbox folder), runs every matching
  hook, and logs one line per run and per line of hook output. With only
  finite sources (stdin) it exits once they end and every run is over. An
  edit of the config file is picked up while it runs (as SIGHUP does).
  Under systemd (Type=notify) it reports ready once every source is open.

OPTIONS
  -c, --config PATH     the config (default: $HOOKD_CONFIG, else the search
                        described in hookd --help)
  --log-level LEVEL     trace, debug, info (default), warn, error, fatal, silent
  --log-format FORMAT   json: one JSON object per line (default off a terminal)
                        pretty: one human line each (default on a terminal)
                        journal: "<6>message key=value" with the syslog
                        priority, for journald (default under systemd)

SIGNALS
  SIGHUP            reload the config (an invalid one is logged and ignored)
  SIGTERM, SIGINT   stop reading, let running hooks finish (up to
                    shutdown_timeout), exit 0
  second SIGINT     exit at once (130), killing the running hooks

EXIT STATUS
  0 stopped by a signal, or every finite source ended; 2 bad command line;
  75 the state directory or socket is held by another hookd; 78 the config
  is missing or invalid; 1 any other failure.

EXAMPLES
  hookd -c hooks.example/hookd.yaml < hooks.example/events.jsonl
  hookd run -c /etc/hookd/hookd.yaml --log-level debug --log-format pretty
  tail -F events.jsonl | hookd --log-format json | jq .
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
  for (const hook of config.hooks) {
    log.debug({ hook: hook.name, on: hook.on, run: [hook.command, ...hook.fixedArgs], cwd: hook.cwd, env: hook.env }, 'hook loaded');
  }
  // Core Lightning's topic names, checked where Core Lightning feeds the events.
  if (config.sources.some(isClnSource)) for (const warning of unknownTopicWarnings(config)) log.warn(warning);
  const daemon = new Daemon({ config, log, notifier: createServiceNotifier({ log }) });
  await daemon.start();
  return daemon.exited;
}
