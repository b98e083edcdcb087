/**
 * What the client's test files share: the fake credentials (distinctive, so a leak is easy to grep for),
 * a client that records every `onResponse` event, and `caught` for asserting on a rejection.
 */
import { createHmac } from 'node:crypto';
import { createMetaClient } from '../client.ts';
import type { MetaClientOptions, MetaResponseEvent } from '../transport.ts';

export const TOKEN = 'TEST-TOKEN-do-not-log-123';
export const APP_SECRET = 'test-app-secret-456';
export const PROOF = createHmac('sha256', APP_SECRET).update(TOKEN).digest('hex');

/** A client on `baseUrl` with in-client retries off, recording every response event. */
export function recordingClient(baseUrl: string, overrides: Partial<MetaClientOptions> = {}) {
  const events: MetaResponseEvent[] = [];
  const client = createMetaClient({
    accessToken: TOKEN,
    baseUrl,
    retry: { limit: 0 },
    onResponse: (event) => {
      events.push(event);
    },
    ...overrides,
  });
  return { client, events };
}

/** The rejection of `promise`; throws when it resolves. */
export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
