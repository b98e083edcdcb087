/**
 * Resources register a closer as they open; close() runs them in reverse order and keeps the first error,
 * so a failing closer never stops the others (the pattern of Graphile Worker's withReleasers).
 */
export class Releasers {
  private readonly closers: Array<{ name: string; close: () => Promise<unknown> | unknown }> = [];

  add(name: string, close: () => Promise<unknown> | unknown): void {
    this.closers.push({ name, close });
  }

  async close(): Promise<void> {
    let first: unknown;
    while (this.closers.length > 0) {
      const { name, close } = this.closers.pop()!;
      try {
        await close();
      } catch (error) {
        first ??= new Error(`closing ${name} failed`, { cause: error });
      }
    }
    if (first) throw first;
  }
}
