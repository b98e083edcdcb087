import { describe, expect, it } from 'vitest';
import { classifyMetaError, isReduceDataError } from './classify-meta-error.ts';
import { REFERENCE_ERROR_CASES } from './test-support/reference-bodies.ts';

function inputOf(c: (typeof REFERENCE_ERROR_CASES)[number]) {
  const e = c.body.error;
  return {
    status: c.status,
    code: typeof e.code === 'number' ? e.code : undefined,
    subcode: typeof e.error_subcode === 'number' ? e.error_subcode : undefined,
    message: typeof e.message === 'string' ? e.message : undefined,
    errorUserTitle: typeof e.error_user_title === 'string' ? e.error_user_title : undefined,
    errorUserMsg: typeof e.error_user_msg === 'string' ? e.error_user_msg : undefined,
    isTransient: typeof e.is_transient === 'boolean' ? e.is_transient : undefined,
    type: typeof e.type === 'string' ? e.type : undefined,
    context: c.context,
  };
}

describe('classifyMetaError: every row of the §2.1 matrix, real bodies', () => {
  it.each(REFERENCE_ERROR_CASES.map((c) => [c.row, c.name, c] as const))('%s: %s', (_row, _name, c) => {
    expect(classifyMetaError(inputOf(c))).toBe(c.expected);
  });

  it('covers every matrix row', () => {
    const rows = new Set(REFERENCE_ERROR_CASES.map((c) => c.row));
    expect([...rows].sort()).toEqual(
      [
        'per-account throttle (BUC)',
        'per-account throttle (score)',
        'per-account writes',
        'other scoped throttles',
        'app-wide throttle',
        'abuse prevention',
        'transient',
        'transient (async)',
        'transient (race)',
        'data-size',
        'token-fatal',
        'account-fatal',
        'request bug',
        'policy',
      ].sort(),
    );
  });
});

describe('classifyMetaError: precedence and edge rows', () => {
  it.each([
    [
      'throttle code wins over is_transient:true',
      { status: 403, code: 4, isTransient: true },
      'app_throttle',
    ],
    [
      '17/2446079 with is_transient:false is still a throttle',
      { status: 400, code: 17, subcode: 2446079, isTransient: false },
      'account_throttle',
    ],
    [
      'reduce-data message wins over code 1 transient',
      { status: 500, code: 1, message: 'Please reduce the amount of data you are asking for' },
      'data_too_large',
    ],
    ['token-fatal wins over is_transient:true', { status: 400, code: 190, isTransient: true }, 'token_fatal'],
    [
      '100/33 without report-run context is account-fatal',
      { status: 400, code: 100, subcode: 33 },
      'account_fatal',
    ],
    [
      '100/33 on a fresh report run is the creation race',
      { status: 400, code: 100, subcode: 33, context: 'report_run' as const },
      'transient',
    ],
    ['async Job Failed without a code is data-size', { asyncStatus: 'Job Failed' }, 'data_too_large'],
    [
      'async Job Failed -3/1504045',
      { asyncStatus: 'Job Failed', code: -3, subcode: 1504045 },
      'data_too_large',
    ],
    ['async Job Failed -2/2490547', { asyncStatus: 'Job Failed', code: -2, subcode: 2490547 }, 'transient'],
    [
      'async Job Failed with an unknown code stays data-size',
      { asyncStatus: 'Job Failed', code: 99999, status: 200 },
      'data_too_large',
    ],
    ['async Job Skipped', { asyncStatus: 'Job Skipped' }, 'transient'],
    ['negative internal code', { status: 500, code: -1 }, 'transient'],
    ['613/1487632 budget changes', { status: 400, code: 613, subcode: 1487632 }, 'account_throttle'],
    ['17/1885172 spend-cap changes', { status: 400, code: 17, subcode: 1885172 }, 'account_throttle'],
    ['299 permission family upper bound', { status: 400, code: 299 }, 'account_fatal'],
    ['300 is not in the permission family', { status: 400, code: 300 }, 'request_bug'],
    ['unknown code on 4xx', { status: 400, code: 424242 }, 'request_bug'],
    ['unknown code on 5xx', { status: 500, code: 424242 }, 'transient'],
    ['no code, HTTP 500', { status: 500 }, 'transient'],
    ['no code, HTTP 429', { status: 429 }, 'transient'],
    ['no code, HTTP 404', { status: 404 }, 'request_bug'],
    ['no status at all (network)', {}, 'transient'],
  ] as const)('%s', (_name, input, expected) => {
    expect(classifyMetaError(input)).toBe(expected);
  });

  it('1/99 from a wrong level cannot be told apart from 1/99 transient: transient (the retry budget ends it)', () => {
    expect(
      classifyMetaError({ status: 500, code: 1, subcode: 99, message: 'An unknown error occurred' }),
    ).toBe('transient');
  });
});

describe('isReduceDataError', () => {
  it.each([
    [{ message: "Please reduce the amount of data you're asking for, then retry your request" }, true],
    [{ message: 'An unknown error occurred', errorUserTitle: 'Please reduce the amount of data' }, true],
    [
      {
        message: 'An unknown error occurred',
        errorUserMsg: "Please reduce the amount of data you're asking for",
      },
      true,
    ],
    [{ message: 'Report Too Large' }, false],
    [{}, false],
  ])('%j → %s', (input, expected) => {
    expect(isReduceDataError(input)).toBe(expected);
  });
});
