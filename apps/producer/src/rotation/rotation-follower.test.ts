/**
 * The producer's rotation follower on real Redis and Postgres: an announcement from another process makes
 * exactly one of two producers re-validate everyone (once, not once per producer), lifts the token-fatal
 * pause and leaves both settled; the producer's own token file changing is announced and rotated to.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenFingerprint } from '@meta-engine/meta-client';
import {
  announceToken,
  controlKeyPrefixFor,
  getPauseState,
  pauseAllQueues,
  readTokenAnnouncement,
} from '@meta-engine/queue';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_FATAL_REASON } from '../adapters/queue.ts';
import type { Runtime } from '../runtime.ts';
import { startTestStack, type TestStack } from '../test-support/stack.ts';
import type { RotationOutcome } from './rotate.ts';
import { createRotationFollower, type RotationFollower } from './rotation-follower.ts';

let t: TestStack;
const followers: RotationFollower[] = [];
const dir = mkdtempSync(join(tmpdir(), 'rotation-follower-'));

beforeAll(async () => {
  t = await startTestStack();
});

afterAll(async () => {
  for (const follower of followers) await follower.close();
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Rotated = RotationOutcome & { status: 'rotated' };

/** A follower for `runtime` whose rotations can be awaited. */
async function follow(runtime: Runtime, by: string) {
  const rotations: Rotated[] = [];
  let notify: (outcome: Rotated) => void = () => {};
  const next = () =>
    new Promise<Rotated>((resolve) => {
      notify = resolve;
    });
  const follower = createRotationFollower({
    redis: runtime.redis,
    controlPrefix: controlKeyPrefixFor(runtime.config.queuePrefix),
    tokens: runtime.tokens,
    configuredFingerprint: runtime.configuredFingerprint,
    lastRotatedFingerprint: () => runtime.tokenState.lastRotatedFingerprint(),
    rotate: (options) => runtime.rotate(options),
    logger: pino({ level: 'silent' }),
    by,
    pollIntervalMs: 60_000,
    onRotation: (outcome) => {
      rotations.push(outcome);
      notify(outcome);
    },
  });
  followers.push(follower);
  return { follower, rotations, next };
}

describe('rotation follower', () => {
  it('two producers, one announcement from a worker: one re-validation, the pause lifted', async () => {
    const clients = t.seedClients(5, { prefix: 'Follow' });
    const a = await t.runtime();
    const b = await t.runtime(t.config({ QUEUE_PREFIX: a.config.queuePrefix }));
    const controlPrefix = controlKeyPrefixFor(a.config.queuePrefix);
    const store = { redis: a.redis, keyPrefix: controlPrefix };
    await pauseAllQueues(a.allQueues, TOKEN_FATAL_REASON, { ...store, detail: 'meta 190/460' });

    const first = await follow(a, 'producer a');
    const second = await follow(b, 'producer b');
    const rotated = Promise.race([first.next(), second.next()]);
    await first.follower.start();
    await second.follower.start();

    // A worker saw a new token in its file and announced it (the producers' own token is another one).
    const workerToken = 'EAAWorkerSawThisNewToken01';
    const fingerprint = tokenFingerprint(a.config.tokenFingerprintKey, workerToken);
    await announceToken({ ...store, fingerprint, by: 'worker 7@elsewhere' });

    const outcome = await rotated;
    expect(outcome).toMatchObject({ fingerprint, created: clients.length, explicit: false });
    // Both followers have looked at the announcement; neither rotates again.
    await first.follower.check();
    await second.follower.check();
    expect(first.rotations.length + second.rotations.length).toBe(1);
    const rotationRuns = (await a.runs.recent(20)).filter((run) => run.trigger === 'rotation');
    expect(rotationRuns.map((run) => run.runId)).toEqual([outcome.runId]);
    expect(await getPauseState(store)).toBeNull();
    expect(await a.tokenState.lastRotatedFingerprint()).toBe(fingerprint);
    expect((await readTokenAnnouncement(store))?.fingerprint).toBe(fingerprint);
  });

  it("announces and rotates to the producer's own token file when it changes", async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'EAAProducerFileTokenOld01\n');
    const runtime = await t.runtime(t.config({ META_ACCESS_TOKEN: undefined, META_ACCESS_TOKEN_FILE: file }));
    const store = { redis: runtime.redis, keyPrefix: controlKeyPrefixFor(runtime.config.queuePrefix) };
    const { follower, next } = await follow(runtime, 'producer file');
    await follower.start();
    const rotated = next();

    writeFileSync(file, 'EAAProducerFileTokenNew02\n');
    const outcome = await rotated;
    const fingerprint = tokenFingerprint(runtime.config.tokenFingerprintKey, 'EAAProducerFileTokenNew02');
    expect(outcome.fingerprint).toBe(fingerprint);
    expect(runtime.configuredFingerprint()).toBe(fingerprint);
    expect(await readTokenAnnouncement(store)).toMatchObject({ fingerprint, by: 'producer file' });
    expect(runtime.secrets).toContain('EAAProducerFileTokenNew02');
  });
});
