/**
 * @module commands/serve
 * `producer serve`: schedules, fan-out worker, token check, admin HTTP; runs until SIGINT/SIGTERM.
 */
import type { Output } from '../cli/output.ts';
import { parseFlags } from '../cli/parse-flags.ts';
import { EXIT } from '../cli/usage-error.ts';
import type { ConfigNeeds } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import { startProducerService } from '../service.ts';

export const name = 'serve';
export const description = 'Run the producer: job schedulers, fan-out, token rotation check, admin HTTP';
export const usage = `producer serve [--no-rotate]

  --no-rotate   skip the token check at start (rotate later with POST /api/rotation)`;
export const needs: ConfigNeeds = { token: true, admin: true };

export interface ServeFlags {
  rotate: boolean;
}

export function parse(argv: readonly string[]): ServeFlags {
  const { values } = parseFlags(argv, { 'no-rotate': { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  return { rotate: !values['no-rotate'] };
}

export interface ServeDeps {
  runtime: Runtime;
  out: Output;
  /** Resolves when the service should stop (main.ts: on SIGINT/SIGTERM). */
  stopped: Promise<unknown>;
}

export async function run(flags: ServeFlags, deps: ServeDeps): Promise<number> {
  // SIGHUP re-reads META_ACCESS_TOKEN_FILE (rotation without a restart).
  const service = await startProducerService(deps.runtime, {
    rotateOnStart: flags.rotate,
    reloadSignal: 'SIGHUP',
  });
  const rotation = service.rotation;
  deps.out.write(
    [
      `producer serving on ${service.url}`,
      `  Bull Board: ${service.url}/admin/queues (basic auth: ADMIN_USER / ADMIN_PASSWORD)`,
      `  schedulers: ${service.schedulers.upserted.join(', ') || 'none'}${service.schedulers.removed.length ? `; removed ${service.schedulers.removed.join(', ')}` : ''}`,
      `  token: ${rotation.status === 'rotated' ? `rotated (run ${rotation.runId}: ${rotation.created} validation jobs)` : rotation.status}`,
      '',
    ].join('\n'),
  );
  await deps.stopped;
  deps.out.write('producer stopping\n');
  await service.close();
  return EXIT.ok;
}
