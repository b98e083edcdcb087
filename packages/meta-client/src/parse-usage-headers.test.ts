import { describe, expect, it } from 'vitest';
import { emptyUsage, getHeader, isEmptyUsage, parseUsageHeaders } from './parse-usage-headers.ts';

// The doc sample of §1.5, verbatim structure (placeholder key replaced by a real id).
const BUC_DOC_SAMPLE = JSON.stringify({
  '1234567890': [
    {
      type: 'ads_insights',
      call_count: 100,
      total_cputime: 25,
      total_time: 25,
      estimated_time_to_regain_access: 19,
      ads_api_access_tier: 'standard_access',
    },
  ],
  '66782684': [
    {
      type: 'ads_management',
      call_count: 95,
      total_cputime: 20,
      total_time: 20,
      estimated_time_to_regain_access: 0,
      ads_api_access_tier: 'development_access',
    },
  ],
  '10153848260347724': [
    {
      type: 'ads_insights',
      call_count: 97,
      total_cputime: 23,
      total_time: 23,
      estimated_time_to_regain_access: 0,
      ads_api_access_tier: 'development_access',
    },
  ],
});

describe('parseUsageHeaders', () => {
  it('parses every key and entry of X-Business-Use-Case-Usage (doc sample)', () => {
    const usage = parseUsageHeaders({ 'x-business-use-case-usage': BUC_DOC_SAMPLE });
    expect(usage.businessUseCase).toHaveLength(3);
    expect(usage.businessUseCase).toContainEqual({
      businessId: '1234567890',
      type: 'ads_insights',
      callCount: 100,
      totalCputime: 25,
      totalTime: 25,
      estimatedTimeToRegainAccessMinutes: 19,
      tier: 'standard_access',
    });
    expect(usage.businessUseCase).toContainEqual({
      businessId: '66782684',
      type: 'ads_management',
      callCount: 95,
      totalCputime: 20,
      totalTime: 20,
      estimatedTimeToRegainAccessMinutes: 0,
      tier: 'development_access',
    });
  });

  it('keeps every array element of one key, not only [0]', () => {
    const header = JSON.stringify({
      '42': [
        {
          type: 'ads_insights',
          call_count: 10,
          total_cputime: 1,
          total_time: 2,
          estimated_time_to_regain_access: 0,
        },
        {
          type: 'ads_management',
          call_count: 99,
          total_cputime: 3,
          total_time: 4,
          estimated_time_to_regain_access: 7,
        },
      ],
    });
    const usage = parseUsageHeaders({ 'X-Business-Use-Case-Usage': header });
    expect(usage.businessUseCase.map((e) => [e.businessId, e.type, e.callCount])).toEqual([
      ['42', 'ads_insights', 10],
      ['42', 'ads_management', 99],
    ]);
    expect(usage.businessUseCase[1]?.tier).toBeUndefined();
  });

  it('parses the three other headers (reference samples)', () => {
    const usage = parseUsageHeaders({
      'x-ad-account-usage':
        '{"acc_id_util_pct": 9.67, "reset_time_duration": 100, "ads_api_access_tier": "standard_access"}',
      'x-app-usage': '{"call_count": 28, "total_time": 25, "total_cputime": 25}',
      'X-FB-Ads-Insights-Throttle':
        '{ "app_id_util_pct": 100, "acc_id_util_pct": 10, "ads_api_access_tier": "standard_access" }',
    });
    expect(usage).toEqual({
      businessUseCase: [],
      adAccount: { accIdUtilPct: 9.67, resetTimeDurationSeconds: 100, tier: 'standard_access' },
      app: { callCount: 28, totalTime: 25, totalCputime: 25 },
      insightsThrottle: { appIdUtilPct: 100, accIdUtilPct: 10, tier: 'standard_access' },
    });
  });

  it.each([
    ['all lower case', { 'x-app-usage': '{"call_count":1}' }],
    ['all upper case', { 'X-APP-USAGE': '{"call_count":1}' }],
    ['mixed case', { 'X-App-Usage': '{"call_count":1}' }],
    ['a repeated header (array value)', { 'x-app-usage': ['{"call_count":1}', '{"call_count":2}'] }],
    ['a WHATWG Headers object', new Headers({ 'X-App-Usage': '{"call_count":1}' })],
    ['a batch item header list', [{ name: 'X-App-Usage', value: '{"call_count":1}' }]],
  ])('matches header names case-insensitively: %s', (_name, headers) => {
    expect(parseUsageHeaders(headers).app?.callCount).toBe(1);
  });

  it.each([
    ['no headers', undefined],
    ['null', null],
    ['empty object', {}],
    ['empty strings', { 'x-business-use-case-usage': '', 'x-ad-account-usage': '   ' }],
    ['broken JSON', { 'x-business-use-case-usage': '{"1":[{"type":', 'x-app-usage': 'not json' }],
    [
      'JSON of the wrong kind',
      { 'x-business-use-case-usage': '[1,2,3]', 'x-ad-account-usage': '"text"', 'x-app-usage': 'null' },
    ],
    ['entries that are not objects', { 'x-business-use-case-usage': '{"1":[null, 3, "x"], "2": 7}' }],
  ])('gives an empty snapshot for %s, never throws', (_name, headers) => {
    const usage = parseUsageHeaders(headers as Parameters<typeof parseUsageHeaders>[0]);
    expect(usage).toEqual(emptyUsage());
    expect(isEmptyUsage(usage)).toBe(true);
  });

  it('turns bad numbers into 0 and accepts numeric strings', () => {
    const usage = parseUsageHeaders({
      'x-business-use-case-usage': JSON.stringify({
        '7': [
          {
            type: 'ads_insights',
            call_count: '55.5',
            total_cputime: 'lots',
            estimated_time_to_regain_access: null,
          },
        ],
      }),
    });
    expect(usage.businessUseCase[0]).toEqual({
      businessId: '7',
      type: 'ads_insights',
      callCount: 55.5,
      totalCputime: 0,
      totalTime: 0,
      estimatedTimeToRegainAccessMinutes: 0,
    });
  });

  it('survives hostile inputs', () => {
    const getterThrows = {
      get 'x-app-usage'(): string {
        throw new Error('boom');
      },
    };
    expect(() => parseUsageHeaders(getterThrows)).not.toThrow();
    expect(getHeader(getterThrows, 'x-app-usage')).toBeUndefined();
  });
});
