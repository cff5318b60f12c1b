// `hookd validate`: check the config, exit 0 when it is good.
import { isClnConfig, isClnSource, pluginModeSources, unknownTopicWarnings } from '../config/cln-names.js';
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

  A Core Lightning config (decision hooks, rpc_env, or a cln source) is
  shown with the sources it has as a plugin, and every notification hook
  whose on names no Core Lightning topic gets a warning, with the name it
  probably meant (the config stays valid: other plugins' custom
  notifications may have any name).

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
  const cln = isClnConfig(config);
  // A plugin config's stdin is lightningd's protocol: show what plugin mode reads.
  const pluginMode = cln && !config.sources.some(isClnSource);
  const sources = (pluginMode ? pluginModeSources(config) : config.sources.map((source) => source.kind)).join(', ');
  const hooks = `${config.hooks.length} hook${config.hooks.length === 1 ? '' : 's'}`;
  process.stdout.write(`${config.file}: OK (${hooks}; ${pluginMode ? 'sources as a Core Lightning plugin' : 'sources'}: ${sources})\n`);
  if (cln) for (const warning of unknownTopicWarnings(config)) process.stderr.write(`hookd: warning: ${warning}\n`);
  return EXIT.OK;
}
