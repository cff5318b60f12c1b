// `hookd validate`: check the config, exit 0 when it is good.
import { loadConfig } from '../config/load.js';
import { CONFIG_OPTION, parseCommandLine, stringOption } from './args.js';
import { EXIT } from './exit-codes.js';

export const HELP = `hookd validate - check the config

Usage:
  hookd validate [-c PATH]

Loads the config as the daemon would and checks every key, duration, regex
and script (exists, executable, not world-writable). Prints one line per
problem, naming the file, line and key, and exits 78; exits 0 when all is good.

Examples:
  hookd validate -c /etc/hookd/hookd.yaml
  ExecStartPre=/usr/bin/hookd validate -c /etc/hookd/hookd.yaml   (systemd)
`;

export async function command(argv: string[]): Promise<number> {
  const parsed = parseCommandLine('validate', argv, CONFIG_OPTION, false);
  const config = await loadConfig({ path: stringOption(parsed, 'config') });
  const sources = config.sources.map((source) => source.kind).join(', ');
  process.stdout.write(`${config.file}: OK (${config.hooks.length} hook${config.hooks.length === 1 ? '' : 's'}; sources: ${sources})\n`);
  return EXIT.OK;
}
