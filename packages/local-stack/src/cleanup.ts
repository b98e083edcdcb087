/**
 * Synchronous last-resort cleanups, run when the process exits without calling stop()
 * (a crashed test worker, Ctrl-C in the demo). Each service registers one and removes it on stop().
 */
const pending = new Set<() => void>();
let installed = false;

export function onProcessExit(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runAll);
  }
  pending.add(cleanup);
  return () => pending.delete(cleanup);
}

function runAll(): void {
  for (const cleanup of pending) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is exiting anyway.
    }
  }
  pending.clear();
}
