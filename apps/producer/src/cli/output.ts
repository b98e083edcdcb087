/**
 * @module output
 * Where commands write: stdout-like streams, injectable in tests (`isTTY` decides between the live
 * progress bar and plain lines).
 */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** Collects everything written; for tests. */
export class MemoryOutput implements Output {
  text = '';
  isTTY: boolean;
  columns: number | undefined;
  constructor(options: { isTTY?: boolean; columns?: number } = {}) {
    this.isTTY = options.isTTY ?? false;
    this.columns = options.columns;
  }
  write(text: string): boolean {
    this.text += text;
    return true;
  }
}
