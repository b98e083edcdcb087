import { describe, expect, it } from 'vitest';
import { CLIENT_CONVERSION_RULES, CONVERSION_RULES, mergeConversionRules } from './conversion-rules.ts';

describe('conversion rules as data', () => {
  it('merges every rule in table order', () => {
    expect(
      mergeConversionRules([
        { source: 'a', phoneActions: ['p1'], emailActions: ['e1'] },
        { source: 'b', phoneActions: ['p2'], emailConversionPatterns: ['x'] },
      ]),
    ).toEqual({
      phoneActions: ['p1', 'p2'],
      emailActions: ['e1'],
      phoneConversionPatterns: [],
      emailConversionPatterns: ['x'],
    });
  });

  it('holds the app’s client events (app-contract §2.3), lower-case as the parser compares them', () => {
    expect(CONVERSION_RULES.phoneActions).toEqual(['offsite_conversion.custom.1470262077092668']);
    expect(CONVERSION_RULES.emailActions).toEqual(['offsite_conversion.custom.2770488499782793']);
    expect(CONVERSION_RULES.phoneConversionPatterns).toHaveLength(2);
    expect(CONVERSION_RULES.emailConversionPatterns).toHaveLength(4);
    for (const rule of CLIENT_CONVERSION_RULES) {
      for (const list of [rule.phoneActions, rule.emailActions, rule.phoneConversionPatterns]) {
        for (const type of list ?? []) expect(type).toBe(type.toLowerCase());
      }
    }
  });
});
