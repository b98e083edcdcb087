/**
 * @module routes/rotation
 * `POST /api/rotation`: rotate now (the token in this producer's environment): re-validate every client
 * ahead of queued work, resume queues paused by a token-fatal error, record the new fingerprint.
 * 200 with the outcome; 409 when another producer is rotating at this moment.
 */

import { shortFingerprint } from '@meta-engine/meta-client';
import { Hono } from 'hono';
import type { RotationOutcome } from '../../rotation/rotate.ts';

export interface RotationApi {
  rotate(): Promise<RotationOutcome>;
}

export function rotationRoutes(rotation: RotationApi): Hono {
  const app = new Hono();
  app.post('/', async (c) => {
    const outcome = await rotation.rotate();
    const body: Record<string, unknown> = { ...outcome, fingerprint: shortFingerprint(outcome.fingerprint) };
    if (outcome.status === 'rotated')
      body.previousFingerprint = shortFingerprint(outcome.previousFingerprint);
    if (outcome.status === 'in-progress') return c.json(body, 409);
    return c.json(body);
  });
  return app;
}
