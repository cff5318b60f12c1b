// Whether features of other issues are built yet, so that a test using them
// can skip (saying why) instead of failing before they are merged.
import { createSource } from '../src/sources/create.ts';

// The socket source (daemon issue): it can be created without touching the file system.
export function socketSourceAvailable(): boolean {
  try {
    createSource({ kind: 'socket', path: '/nonexistent/hookd.sock', mode: 0o600 });
    return true;
  } catch {
    return false;
  }
}
