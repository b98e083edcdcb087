import { describe, expect, it } from 'vitest';
import { earliestInsightsDate } from '../transform/index.ts';
import { accountInfoFromValidations, toMetaAccountInfo } from './account-info.ts';
import { chunkRange, planCollectRange, pollDelayMs } from './collect-insights.ts';
import { assessDebugToken, debugTokenKey } from './debug-token.ts';
import { refreshPlanAt } from './refresh-cache.ts';
import { toDbCampaignInsight, toDbDailyKpi } from './rows.ts';
import { outcomeForAccountStatus, outcomeForTokenError } from './validate.ts';

describe('validate outcome mapping', () => {
  it.each([
    [1, 'active'],
    [9, 'active'],
    [2, 'account_inactive'],
    [3, 'account_inactive'],
    [7, 'account_inactive'],
    [8, 'account_inactive'],
    [100, 'account_inactive'],
    [101, 'account_inactive'],
    [201, 'account_inactive'],
    [202, 'account_inactive'],
    [undefined, 'account_inactive'],
  ])('account_status %s -> %s', (status, outcome) => {
    expect(outcomeForAccountStatus(status)).toBe(outcome);
  });

  it('190/463 is an expired token, every other token-fatal error an invalid one', () => {
    expect(outcomeForTokenError({ code: 190, subcode: 463 })).toBe('token_expired');
    expect(outcomeForTokenError({ code: 190, subcode: 460 })).toBe('token_invalid');
    expect(outcomeForTokenError({ code: 102, subcode: undefined })).toBe('token_invalid');
  });
});

describe('assessDebugToken', () => {
  const now = Date.parse('2026-07-01T00:00:00Z');
  it('a valid, non-expiring system-user token with ads_read is ok; only safe fields are kept', () => {
    const result = assessDebugToken(
      {
        is_valid: true,
        type: 'SYSTEM_USER',
        app_id: '42',
        expires_at: 0,
        scopes: ['ads_read', 'ads_management'],
        user_id: '7',
      },
      now,
    );
    expect(result).toEqual({
      status: 'ok',
      problems: [],
      info: {
        is_valid: true,
        type: 'SYSTEM_USER',
        app_id: '42',
        expires_at: 0,
        scopes: ['ads_read', 'ads_management'],
        user_id: '7',
        missing_scopes: [],
        problems: [],
      },
    });
  });

  it('a missing ads_read is recorded as a problem', () => {
    const result = assessDebugToken({ is_valid: true, scopes: ['ads_management'] }, now);
    expect(result.status).toBe('unknown');
    expect(result.problems).toEqual(['missing required scope ads_read']);
    expect(result.info.missing_scopes).toEqual(['ads_read']);
  });

  it('an invalid or expired token', () => {
    expect(assessDebugToken({ is_valid: false, scopes: ['ads_read'] }, now).status).toBe('token_fatal');
    const expired = assessDebugToken(
      { is_valid: true, scopes: ['ads_read'], expires_at: now / 1000 - 60 },
      now,
    );
    expect(expired.problems).toContain('token expired');
  });

  it('keys the check per fingerprint and run (or hour)', () => {
    const fp = 'a'.repeat(64);
    expect(debugTokenKey('meta:control', fp, 'run-1', now)).toBe(
      'meta:control:debug-token:aaaaaaaaaaaa:run:run-1',
    );
    expect(debugTokenKey('meta:control', fp, undefined, now)).toBe(
      `meta:control:debug-token:aaaaaaaaaaaa:hour:${Math.floor(now / 3_600_000)}`,
    );
  });
});

describe('refresh-cache planning', () => {
  it("the month and week are the account's: just before midnight UTC on 31 Dec, Auckland is in the new year", () => {
    const now = new Date('2026-12-31T23:30:00Z');
    const auckland = refreshPlanAt(now, 'Pacific/Auckland', true);
    expect(auckland.periods.month.periodId).toBe('2027-01');
    expect(auckland.periods.month.start).toBe('2027-01-01');
    const losAngeles = refreshPlanAt(now, 'America/Los_Angeles', true);
    expect(losAngeles.periods.month.periodId).toBe('2026-12');
    expect(losAngeles.requests).toHaveLength(6);
    expect(refreshPlanAt(now, 'UTC', false).requests).toHaveLength(5);
  });
});

describe('collect-insights planning', () => {
  it('the incremental range: high-water date minus the lookback, to yesterday', () => {
    expect(
      planCollectRange({
        today: '2026-07-20',
        highWaterDate: '2026-07-19',
        lookbackDays: 28,
        backfillDays: 90,
      }),
    ).toEqual({ since: '2026-06-21', until: '2026-07-19' });
    expect(
      planCollectRange({ today: '2026-07-20', highWaterDate: null, lookbackDays: 28, backfillDays: 60 }),
    ).toEqual({
      since: '2026-05-21',
      until: '2026-07-19',
    });
  });

  it('explicit ranges: until capped at yesterday, since clamped to 37 months, empty → null', () => {
    expect(
      planCollectRange({
        today: '2026-07-20',
        since: '2020-01-01',
        until: '2026-08-01',
        highWaterDate: null,
        lookbackDays: 28,
        backfillDays: 90,
      }),
    ).toEqual({ since: earliestInsightsDate('2026-07-20'), until: '2026-07-19' });
    expect(
      planCollectRange({
        today: '2026-07-20',
        since: '2026-07-20',
        highWaterDate: null,
        lookbackDays: 28,
        backfillDays: 90,
      }),
    ).toBeNull();
  });

  it('chunkRange covers the range in consecutive chunks', () => {
    expect(chunkRange({ since: '2026-01-01', until: '2026-01-10' }, 4)).toEqual([
      { since: '2026-01-01', until: '2026-01-04' },
      { since: '2026-01-05', until: '2026-01-08' },
      { since: '2026-01-09', until: '2026-01-10' },
    ]);
    expect(chunkRange({ since: '2026-01-01', until: '2026-01-01' }, 31)).toEqual([
      { since: '2026-01-01', until: '2026-01-01' },
    ]);
  });

  it('pollDelayMs doubles up to the maximum', () => {
    expect([0, 1, 2, 3, 4, 10].map((polls) => pollDelayMs(polls, 5_000, 60_000))).toEqual([
      5_000, 10_000, 20_000, 40_000, 60_000, 60_000,
    ]);
  });
});

describe('account info', () => {
  const rows = [
    { ad_account_id: '999', timezone_name: 'Asia/Tokyo', currency: 'JPY' },
    { ad_account_id: '123', timezone_name: null, outcome: 'no_access' },
    { ad_account_id: '123', timezone_name: 'Not/AZone' },
    {
      ad_account_id: '123',
      timezone_name: 'Europe/Warsaw',
      currency: 'PLN',
      account_name: 'Hotel',
      account_status: 1,
    },
  ];
  it('takes the newest validation of this account that has a valid time zone', () => {
    expect(accountInfoFromValidations(rows, '123')).toEqual({
      timezone: 'Europe/Warsaw',
      currency: 'PLN',
      name: 'Hotel',
      status: 1,
      source: 'validation',
    });
    expect(accountInfoFromValidations(rows, '555')).toBeNull();
  });
  it('builds the cache accountInfo with Meta field names', () => {
    expect(
      toMetaAccountInfo('123', {
        timezone: 'Europe/Warsaw',
        currency: 'PLN',
        name: null,
        status: 2,
        source: 'meta',
      }),
    ).toEqual({ id: 'act_123', timezone_name: 'Europe/Warsaw', currency: 'PLN', account_status: 2 });
  });
});

describe('row mapping to the repository', () => {
  it('maps a campaign-day row and a daily KPI row field by field', () => {
    const insight = toDbCampaignInsight(
      {
        client_id: 'c',
        ad_account_id: '123',
        campaign_id: '9',
        campaign_name: 'Summer',
        date: '2026-07-01',
        spend: 1.5,
        impressions: 100,
        clicks: 5,
        inline_link_clicks: 4,
        ctr: 5,
        inline_link_click_ctr: 4,
        cpc: 0.3,
        cost_per_inline_link_click: 0.375,
        cpm: 15,
        cpp: 20,
        reach: 80,
        frequency: 1.25,
        actions: [{ action_type: 'link_click', value: '4' }],
        action_values: [],
        conversions: [],
        cost_per_action_type: [],
      },
      '2026-07-02T00:00:00.000Z',
    );
    expect(insight).toEqual({
      clientId: 'c',
      adAccountId: '123',
      campaignId: '9',
      date: '2026-07-01',
      campaignName: 'Summer',
      spend: 1.5,
      impressions: 100,
      clicks: 5,
      inlineLinkClicks: 4,
      reach: 80,
      frequency: 1.25,
      ctr: 5,
      cpc: 0.3,
      cpm: 15,
      cpp: 20,
      inlineLinkClickCtr: 4,
      costPerInlineLinkClick: 0.375,
      actions: [{ action_type: 'link_click', value: '4' }],
      actionValues: [],
      conversions: [],
      collectedAt: '2026-07-02T00:00:00.000Z',
    });
    const kpi = toDbDailyKpi(
      {
        date: '2026-07-01',
        total_clicks: 4,
        total_impressions: 100,
        total_spend: 1.5,
        total_conversions: 1,
        click_to_call: 2,
        email_contacts: 3,
        booking_step_1: 4,
        booking_step_2: 5,
        booking_step_3: 6,
        reservations: 1,
        reservation_value: 300,
        average_ctr: 4,
        average_cpc: 0.38,
        roas: 200,
        cost_per_reservation: 1.5,
        reach: 80,
        campaigns_count: 1,
        data_source: 'meta_api',
        platform: 'meta',
      },
      'client-1',
    );
    expect(kpi).toEqual({
      clientId: 'client-1',
      date: '2026-07-01',
      totalSpend: 1.5,
      totalImpressions: 100,
      totalClicks: 4,
      totalConversions: 1,
      clickToCall: 2,
      emailContacts: 3,
      bookingStep1: 4,
      bookingStep2: 5,
      bookingStep3: 6,
      reservations: 1,
      reservationValue: 300,
      averageCtr: 4,
      averageCpc: 0.38,
      roas: 200,
      costPerReservation: 1.5,
      campaignsCount: 1,
      reach: 80,
    });
  });
});
