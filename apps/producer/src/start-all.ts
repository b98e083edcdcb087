/**
 * `pnpm start`: the producer service and one worker, as two child processes with one environment, like a
 * Procfile. For a single machine; in production run `producer serve` and the worker as separate services
 * (docker-compose.yml does) and scale workers independently. Signals are forwarded; when one child exits,
 * the other is stopped and the exit code is passed on.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
if (existsSync(`${root}.env`)) process.loadEnvFile(`${root}.env`);

const children: Array<{ name: string; child: ChildProcess }> = [
  {
    name: 'producer',
    child: spawn(process.execPath, ['apps/producer/src/main.ts', 'serve'], { cwd: root, stdio: 'inherit' }),
  },
  {
    name: 'worker',
    child: spawn(process.execPath, ['apps/worker/src/main.ts'], { cwd: root, stdio: 'inherit' }),
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
