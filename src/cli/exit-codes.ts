/** Exit codes of the CLI (sysexits.h names where one fits), stable for scripts. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed: bad input, a name already taken, nothing found. */
  failure: 1,
  /** The command line itself is wrong: unknown command or option, missing argument. */
  usage: 2,
  /** EX_CONFIG: the configuration (files and environment) is not valid. */
  config: 78,
} as const;
