// `hookd dead`: not built yet.
import { HookdError } from '../errors.js';

export const HELP = 'hookd dead: not available yet\n';

export async function command(): Promise<number> {
  throw new HookdError('E_USAGE', 'hookd dead is not available yet');
}
