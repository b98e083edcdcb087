/**
 * @module bull-board
 * Bull Board for every queue, mounted under `basePath` (`/admin/queues`; Hono answers 404 on the
 * trailing-slash form, so that one redirects). Job data, return values and progress go through
 * `redactSecrets` before the dashboard shows them. Authentication is added by the app (app.ts).
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { Hono } from 'hono';
import { redactSecrets } from './redact.ts';

export interface BullBoardOptions {
  queues: readonly Queue[];
  readOnly: boolean;
  /** Extra literal strings to hide (the configured token, keys). */
  secrets: readonly string[];
}

export function mountBullBoard(app: Hono, basePath: string, options: BullBoardOptions): void {
  const serverAdapter = new HonoAdapter(serveStatic);
  serverAdapter.setBasePath(basePath);
  const adapters = options.queues.map((queue) => {
    const adapter = new BullMQAdapter(queue, { readOnlyMode: options.readOnly });
    const redact = (value: unknown) => redactSecrets(value, options.secrets);
    adapter.setFormatter('data', redact);
    adapter.setFormatter('returnValue', redact);
    adapter.setFormatter('progress', redact);
    return adapter;
  });
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Meta engine queues' } },
  });
  app.get(`${basePath}/`, (c) => {
    const query = new URL(c.req.url).search;
    return c.redirect(`${basePath}${query}`, 301);
  });
  app.route(basePath, serverAdapter.registerPlugin());
}
