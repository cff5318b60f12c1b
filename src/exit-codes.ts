// Exit codes of every command (documented in docs/cli.md). Never renumber.
export const EXIT = Object.freeze({
  OK: 0,
  // A hook failed (hookd test), or a runtime failure.
  FAILURE: 1,
  // Bad command line.
  USAGE: 2,
  // The daemon is not running (emit, status, dead replay through the socket).
  NOT_RUNNING: 69,
  // The state directory is held by another hookd, or the socket is in use.
  IN_USE: 75,
  // The config is invalid or missing (sysexits EX_CONFIG); systemd should not restart on it.
  CONFIG: 78,
  // Stopped by a second SIGINT.
  INTERRUPTED: 130,
});
