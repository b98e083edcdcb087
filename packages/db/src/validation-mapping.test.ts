import { describe, expect, it } from 'vitest';
import { type MappingInput, mapValidationOutcome } from './validation-mapping.ts';

const ours = { excludedByValidation: true, apiStatusAfter: 'invalid' };
const notOurs = { excludedByValidation: false, apiStatusAfter: 'valid' };

describe('mapValidationOutcome', () => {
  // outcome, current api_status, previous row → token_health_status, api_status, last_token_validation, excluded
  it.each<
    [
      MappingInput['outcome'],
      MappingInput['currentApiStatus'],
      MappingInput['previous'],
      string | null,
      string,
      boolean,
      boolean,
    ]
  >([
    ['active', 'valid', null, 'valid', 'valid', true, false],
    ['active', 'pending', null, 'valid', 'valid', true, false],
    ['active', 'invalid', ours, 'valid', 'valid', true, false],
    ['active', 'invalid', notOurs, 'valid', 'invalid', true, false],
    ['active', 'expired', null, 'valid', 'expired', true, false],
    ['active', 'expired', ours, 'valid', 'expired', true, false],
    ['account_inactive', 'valid', null, 'valid', 'valid', true, false],
    ['account_inactive', 'invalid', ours, 'valid', 'valid', true, false],
    ['no_access', 'valid', null, 'invalid', 'invalid', true, true],
    ['no_access', 'pending', null, 'invalid', 'invalid', true, true],
    ['no_access', 'invalid', ours, 'invalid', 'invalid', true, true],
    ['no_access', 'invalid', notOurs, 'invalid', 'invalid', true, false],
    ['no_access', 'expired', null, 'invalid', 'expired', true, false],
    ['token_invalid', 'valid', null, 'invalid', 'valid', true, false],
    ['token_expired', 'pending', null, 'expired', 'pending', true, false],
    ['token_invalid', 'invalid', ours, 'invalid', 'invalid', true, true],
    ['check_failed', 'valid', null, null, 'valid', false, false],
    ['check_failed', 'invalid', ours, null, 'invalid', false, true],
  ])(
    '%s with api_status %s (previous %o) → %s / %s',
    (outcome, current, previous, health, api, touch, excluded) => {
      expect(mapValidationOutcome({ outcome, currentApiStatus: current, previous })).toEqual({
        tokenHealthStatus: health,
        apiStatus: api,
        touchLastValidation: touch,
        excludedByValidation: excluded,
      });
    },
  );

  it('treats an exclusion as ours only while api_status is still what we left', () => {
    // We set invalid, then someone set expired by hand: a reachable account does not undo their choice.
    const result = mapValidationOutcome({ outcome: 'active', currentApiStatus: 'expired', previous: ours });
    expect(result.apiStatus).toBe('expired');
  });
});
