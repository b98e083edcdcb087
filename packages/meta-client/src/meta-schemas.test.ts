import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { campaignSchema, pageSchema } from './meta-schemas.ts';

describe('pageSchema', () => {
  it('builds one schema per item schema and one for every unknown item', () => {
    expect(pageSchema(campaignSchema)).toBe(pageSchema(campaignSchema));
    expect(pageSchema(z.unknown())).toBe(pageSchema(z.unknown()));
    expect(pageSchema(z.unknown())).not.toBe(pageSchema(campaignSchema));
  });

  it('checks the items with the given schema', () => {
    const page = { data: [{ id: 7, name: 'x' }], paging: { next: 'https://graph/next' } };
    expect(pageSchema(campaignSchema).parse(page).data[0]?.id).toBe('7');
    expect(pageSchema(campaignSchema).safeParse({ data: [{ name: 'no id' }] }).success).toBe(false);
    expect(pageSchema(z.unknown()).parse({ data: [1, 'a'] }).data).toEqual([1, 'a']);
  });
});
