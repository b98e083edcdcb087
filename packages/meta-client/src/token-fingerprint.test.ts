import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { shortFingerprint, tokenFingerprint } from './token-fingerprint.ts';

describe('tokenFingerprint', () => {
  it('is the keyed HMAC-SHA256 in hex, never containing the token', () => {
    const token = 'EAABwzLixnjYBO0123456789';
    const fingerprint = tokenFingerprint('key-1', token);
    expect(fingerprint).toBe(createHmac('sha256', 'key-1').update(token).digest('hex'));
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint).not.toContain(token);
    expect(tokenFingerprint('key-2', token)).not.toBe(fingerprint);
    expect(shortFingerprint(fingerprint)).toBe(fingerprint.slice(0, 12));
    expect(shortFingerprint(null)).toBe('(none)');
  });
});
