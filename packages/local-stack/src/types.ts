/** Where a service came from: the environment, a testcontainers container, or a local binary we started. */
export type ServiceSource = 'env' | 'container' | 'binary';

export interface StackOptions {
  /** Environment to read service URLs from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Receives one line per notable decision (fallbacks); silent by default. */
  log?: (line: string) => void;
}
