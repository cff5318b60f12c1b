// `hookd validate`: check the config, exit 0 when it is good.
import { loadConfig } from '../config/load.js';
import { CONFIG_OPTION, parseCommandLine, stringOption } from './args.js';
import { EXIT } from '../exit-codes.js';

export const HELP = `NAME
  hookd validate - check the config

SYNOPSIS
  hookd validate [-c PATH]

DESCRIPTION
  Loads the config as the daemon would and checks every key, duration,
  regex and script (exists, executable, not world-writable; nor is the
  config). Prints one line per problem, naming the file, line and key, or
  one line saying it is good. Run it as the user hookd runs as.

OPTIONS
  -c, --config PATH   the config (default: $HOOKD_CONFIG, else the search)

EXIT STATUS
  0 the config is good; 2 bad command line; 78 the config is missing or
  invalid.

EXAMPLES
  hookd validate -c /etc/hookd/hookd.yaml
  sudo -u hookd hookd validate -c /etc/hookd/hookd.yaml
  ExecStartPre=hookd validate -c /etc/hookd/hookd.yaml    (in a systemd unit)
`;

export async function command(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('validate', argv, CONFIG_OPTION, false);
  const config = await loadConfig({ path: stringOption(parsed, 'config') });
  const sources = config.sources.map((source) => source.kind).join(', ');
  process.stdout.write(`${config.file}: OK (${config.hooks.length} hook${config.hooks.length === 1 ? '' : 's'}; sources: ${sources})\n`);
  return EXIT.OK;
}
