import { describe, expect, it } from 'vitest';
import { DbError, isDbError, toDbError } from '../errors/db-error.ts';
import { isInvalidClient, toClient } from './clients.ts';
import { toDailyKpiColumns } from './daily-kpi.ts';
import { toCacheColumns } from './period-cache.ts';

const id = '3f0e8c1e-6b1f-4c55-9a43-1f2d3c4b5a69';
const row = {
  id,
  name: 'Hotel',
  email: 'h@example.test',
  ad_account_id: 'act_123',
  api_status: 'valid',
  token_health_status: 'unknown',
  last_token_validation: null,
  token_expires_at: null,
};

describe('toClient', () => {
  it('parses the ad account id and keeps the raw value', () => {
    expect(toClient(row)).toMatchObject({ id, adAccountId: '123', rawAdAccountId: 'act_123' });
  });

  it('reports a malformed ad account id or an unexpected row instead of throwing', () => {
    const bad = toClient({ ...row, ad_account_id: 'act_' });
    expect(isInvalidClient(bad) && bad.problem).toMatch(/Invalid ad account id "act_"/);
    const odd = toClient({ ...row, api_status: 'archived' });
    expect(isInvalidClient(odd) && odd.problem).toMatch(/^unexpected row shape/);
  });
});

describe('toDailyKpiColumns', () => {
  it('rounds BIGINT columns, zero-fills the funnel and stamps meta_api/meta', () => {
    const columns = toDailyKpiColumns(
      {
        clientId: id.toUpperCase(),
        date: '2026-07-19',
        totalSpend: 1.5,
        totalImpressions: 10.5,
        totalClicks: 2.4,
        totalConversions: 0,
      },
      0,
      'now',
    );
    expect(columns).toMatchObject({
      client_id: id,
      total_impressions: 11,
      total_clicks: 2,
      booking_step_3: 0,
      roas: 0,
      data_source: 'meta_api',
      platform: 'meta',
      last_updated: 'now',
    });
  });
});

describe('toCacheColumns', () => {
  it('writes only the four app columns', () => {
    expect(
      Object.keys(toCacheColumns('month', { clientId: id, periodId: '2026-07', cacheData: {} }, 'now')),
    ).toEqual(['client_id', 'period_id', 'cache_data', 'last_updated']);
  });

  it('finds a token key at any depth', () => {
    const cacheData = { campaigns: [{ nested: { Meta_Access_Token: 'x' } }] };
    expect(() => toCacheColumns('month', { clientId: id, periodId: '2026-07', cacheData }, 'now')).toThrow(
      /cache_data\.campaigns\[0\]\.nested\.Meta_Access_Token/,
    );
  });
});

describe('DbError', () => {
  it('names table and operation, keeps code, details and hint', () => {
    const error = toDbError(
      'clients',
      'select',
      { message: 'boom', code: '42P01', details: 'd', hint: 'h' },
      404,
    );
    expect(error).toBeInstanceOf(DbError);
    expect(error.message).toBe('select on clients failed (42P01): boom');
    expect(error).toMatchObject({
      table: 'clients',
      operation: 'select',
      code: '42P01',
      details: 'd',
      hint: 'h',
      status: 404,
    });
    expect(isDbError({ name: 'DbError' })).toBe(true);
    expect(isDbError(new Error('x'))).toBe(false);
  });
});
