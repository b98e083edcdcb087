import type { SuiteResult } from './results.ts';

export interface SuiteOptions {
  quick: boolean;
  log: (line: string) => void;
}

export type SuiteOutput = Pick<SuiteResult, 'name' | 'title' | 'config' | 'figures' | 'goals' | 'notes'>;

export interface Suite {
  name: string;
  title: string;
  run(options: SuiteOptions): Promise<SuiteOutput>;
}

/** Closes everything registered, last first, ignoring failures (used in a `finally`). */
export class Cleanup {
  private readonly closers: Array<() => Promise<unknown>> = [];
  add(closer: () => Promise<unknown>): void {
    this.closers.push(closer);
  }
  async run(): Promise<void> {
    for (const closer of this.closers.reverse()) await closer().catch(() => {});
    this.closers.length = 0;
  }
}
