import { describe, expect, it } from 'vitest';
import { pathOnly, REDACTED, sanitizeCause, scrubText, scrubUrl, scrubValue } from './scrub.ts';

const TOKEN = 'TEST-TOKEN-do-not-log-123';

describe('scrubbing', () => {
  it('scrubUrl removes access_token, appsecret_proof and input_token', () => {
    expect(
      scrubUrl(
        `https://graph.facebook.com/v26.0/debug_token?input_token=${TOKEN}&access_token=${TOKEN}&appsecret_proof=ff&x=1`,
      ),
    ).toBe('https://graph.facebook.com/v26.0/debug_token?x=1');
    expect(scrubUrl(`/v26.0/me?ACCESS_TOKEN=${TOKEN}`)).toBe('/v26.0/me');
  });

  it('pathOnly drops query and fragment', () => {
    expect(pathOnly(`/v26.0/me?access_token=${TOKEN}#x`)).toBe('/v26.0/me');
    expect(pathOnly(`https://h/v26.0/act_1?access_token=${TOKEN}`)).toBe('/v26.0/act_1');
  });

  it('scrubText removes known secrets, secret params and bearer tokens from free text', () => {
    const text = `Malformed access token ${TOKEN}; url=/me?access_token=abc&x=1; Authorization: Bearer ${TOKEN}`;
    const out = scrubText(text, [TOKEN]);
    expect(out).not.toContain(TOKEN);
    expect(out).toContain(`access_token=${REDACTED}&x=1`);
    expect(scrubText('Bearer abc.def', [])).toBe(`Bearer ${REDACTED}`);
    expect(scrubText('Invalid OAuth 2.0 Access Token')).toBe('Invalid OAuth 2.0 Access Token');
  });

  it('scrubText removes secret params in any letter case, values it was not told about included', () => {
    const out = scrubText('GET /me?ACCESS_TOKEN=unknownvalue1&Appsecret_Proof=beef&Input_Token=abc', []);
    expect(out).toBe(`GET /me?ACCESS_TOKEN=${REDACTED}&Appsecret_Proof=${REDACTED}&Input_Token=${REDACTED}`);
  });

  it('scrubValue walks nested data', () => {
    expect(scrubValue({ a: [`x ${TOKEN}`], b: { c: TOKEN }, n: 1 }, [TOKEN])).toEqual({
      a: [`x ${REDACTED}`],
      b: { c: REDACTED },
      n: 1,
    });
  });

  it('sanitizeCause copies name, code, message and stack scrubbed, nested causes too', () => {
    const inner = Object.assign(new Error(`inner ${TOKEN}`), {
      code: 'ECONNRESET',
      headers: { authorization: TOKEN },
    });
    const outer = new Error(`outer ${TOKEN}`, { cause: inner });
    outer.name = 'SocketError';
    const safe = sanitizeCause(outer, [TOKEN]);
    expect(safe?.name).toBe('SocketError');
    expect(JSON.stringify({ m: safe?.message, s: safe?.stack, c: String(safe?.cause) })).not.toContain(TOKEN);
    const nested = safe?.cause as { code?: string; headers?: unknown } | undefined;
    expect(nested?.code).toBe('ECONNRESET');
    expect(nested?.headers).toBeUndefined();
    expect(sanitizeCause(undefined)).toBeUndefined();
    expect(sanitizeCause(`string ${TOKEN}`, [TOKEN])?.message).toBe(`string ${REDACTED}`);
  });
});
