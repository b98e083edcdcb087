/**
 * `pnpm start`: the producer service and one worker, as two child processes with one environment, like a
 * Procfile. For a single machine; in production run `producer serve` and the worker as separate services
 * (docker-compose.yml does) and scale workers independently. The `.env` of the working directory (or
 * ENV_FILE) is loaded here, as each child would load it; a malformed one exits 78 before anything starts.
 * Signals are forwarded; when one child exits, the other is stopped and the exit code is passed on (78 when
 * a child found the configuration wrong).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exitOnConfigError, loadDotEnv } from '@meta-engine/runtime';
import { WORKER_NODE_FLAGS } from '@meta-engine/worker/node-flags';

try {
  loadDotEnv();
} catch (error) {
  exitOnConfigError(error, 'start');
  throw error;
}

const script = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const children: Array<{ name: string; child: ChildProcess }> = [
  {
    name: 'producer',
    child: spawn(process.execPath, [script('apps/producer/src/main.ts'), 'serve'], { stdio: 'inherit' }),
  },
  {
    name: 'worker',
    child: spawn(process.execPath, [...WORKER_NODE_FLAGS, script('apps/worker/src/main.ts')], {
      stdio: 'inherit',
    }),
  },
];

let exitCode: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const { child } of children) child.kill(signal);
  });
}
for (const { name, child } of children) {
  child.on('exit', (code, signal) => {
    if (exitCode === undefined) {
      exitCode = code ?? (signal ? 1 : 0);
      if (code !== 0) process.stderr.write(`${name} exited (${code ?? signal}); stopping the others\n`);
      for (const other of children) if (other.child !== child) other.child.kill('SIGTERM');
    }
    if (children.every(({ child: c }) => c.exitCode !== null || c.signalCode !== null))
      process.exit(exitCode);
  });
}
