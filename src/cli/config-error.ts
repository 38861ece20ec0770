/** The configuration did not validate (exit code 78, EX_CONFIG); `problems` names every bad key. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('the configuration is not valid');
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
