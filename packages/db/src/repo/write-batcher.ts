/**
 * @module repo/write-batcher
 * Coalesces small writes issued at about the same time (e.g. by 50 concurrent worker jobs) into one
 * PostgREST request. A request costs far more than a row: in the re-validation benchmark (bench/) the
 * per-request work of the worker's fetch, PostgREST and Postgres was most of the machine's CPU.
 *
 * Items wait at most `delayMs` (or until `maxSize` are queued), then `flush` writes them together and
 * returns one answer per item, in order. When a combined write fails, each item is written alone, so one
 * bad item fails only its own caller and the others still succeed. Callers see the same results and
 * errors as with unbatched writes.
 */

export interface WriteBatchSettings {
  /** Items per request (default 100); 1 turns batching off. */
  maxSize: number;
  /**
   * How long the first item of a batch waits for others (ms, default 10). At 2 ms a worker doing ~500
   * validations/s sent one or two per request; at 10 ms about six, and its CPU per validate job fell from
   * 1.06 to 0.79 ms (job-cost, issue 17). The wait is a job's, not the worker's: other jobs run meanwhile.
   */
  delayMs: number;
}

export const DEFAULT_WRITE_BATCH: WriteBatchSettings = { maxSize: 100, delayMs: 10 };

interface Pending<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export interface WriteBatcher<T, R> {
  write(item: T): Promise<R>;
}

export function createWriteBatcher<T, R>(
  flush: (items: T[]) => Promise<R[]>,
  settings: WriteBatchSettings,
): WriteBatcher<T, R> {
  let queue: Pending<T, R>[] = [];
  let timer: NodeJS.Timeout | null = null;

  async function run(batch: Pending<T, R>[]): Promise<void> {
    try {
      const answers = await flush(batch.map((p) => p.item));
      batch.forEach((p, index) => {
        p.resolve(answers[index] as R);
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Isolate the failure: each item alone.
      await Promise.all(batch.map((p) => run([p])));
    }
  }

  function drain(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = queue;
    queue = [];
    if (batch.length > 0) void run(batch);
  }

  return {
    write(item) {
      if (settings.maxSize <= 1) return flush([item]).then((answers) => answers[0] as R);
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= settings.maxSize) drain();
        else timer ??= setTimeout(drain, settings.delayMs);
      });
    },
  };
}
