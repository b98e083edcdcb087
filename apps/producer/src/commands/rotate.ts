/**
 * @module commands/rotate
 * `producer rotate [--if-changed]`: after putting a new token in META_ACCESS_TOKEN (or to clear a
 * token-fatal pause): re-validate every client ahead of queued work, resume the queues the token-fatal
 * error paused, record the token's fingerprint.
 */

import { shortFingerprint } from '@meta-engine/meta-client';
import type { Output } from '../cli/output.ts';
import { parseFlags } from '../cli/parse-flags.ts';
import { EXIT } from '../cli/usage-error.ts';
import type { ConfigNeeds } from '../config.ts';
import type { RotationOutcome } from '../rotation/rotate.ts';

export const name = 'rotate';
export const description =
  'Rotate to the token in META_ACCESS_TOKEN: re-validate all, resume token-fatal pauses';
export const usage = `producer rotate [--if-changed]

  --if-changed   do nothing when the token's fingerprint is the one last rotated to`;
export const needs: ConfigNeeds = { token: true };

export interface RotateFlags {
  force: boolean;
}

export function parse(argv: readonly string[]): RotateFlags {
  const { values } = parseFlags(argv, { 'if-changed': { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  return { force: !values['if-changed'] };
}

export interface RotateDeps {
  rotate(options: { force: boolean }): Promise<RotationOutcome>;
  out: Output;
  err: Output;
}

export async function run(flags: RotateFlags, deps: RotateDeps): Promise<number> {
  const outcome = await deps.rotate({ force: flags.force });
  if (outcome.status === 'unchanged') {
    deps.out.write(`token ${shortFingerprint(outcome.fingerprint)} is the one in use; nothing to do\n`);
    return EXIT.ok;
  }
  if (outcome.status === 'in-progress') {
    deps.err.write('another producer is rotating right now; try again in a minute\n');
    return EXIT.failure;
  }
  deps.out.write(
    [
      `rotated to token ${shortFingerprint(outcome.fingerprint)} (was ${shortFingerprint(outcome.previousFingerprint)})`,
      `  re-validation run ${outcome.runId}: ${outcome.created} job(s) created, ${outcome.skipped} pending job(s) moved ahead`,
      `  resumed queues: ${outcome.resumedQueues.length > 0 ? outcome.resumedQueues.join(', ') : 'none were paused by a token error'}`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
