import { describe, expect, it } from 'vitest';
import { actionValue, parseInsightNumbers } from './parse-insight-numbers.ts';

const ROW = {
  account_id: '1010035716096012',
  campaign_id: '120210000000000001',
  campaign_name: 'Summer 2026',
  date_start: '2026-07-01',
  date_stop: '2026-07-01',
  age: '25-34',
  impressions: '1000',
  reach: '800',
  clicks: '25',
  spend: '100.50',
  ctr: '2.5',
  cpm: '',
  frequency: undefined,
  actions: [
    { action_type: 'link_click', value: '20', '1d_click': '15', '7d_click': '20' },
    { action_type: 'purchase', value: '3', '1d_view': '1' },
    { action_type: 'purchase', value: '2' },
  ],
  cost_per_action_type: [{ action_type: 'purchase', value: '33.5' }],
  purchase_roas: [{ action_type: 'omni_purchase', value: '4.2' }],
};

describe('parseInsightNumbers', () => {
  const parsed = parseInsightNumbers(ROW);

  it('converts metric strings, empty and missing to 0', () => {
    expect(parsed).toMatchObject({
      impressions: 1000,
      reach: 800,
      clicks: 25,
      spend: 100.5,
      ctr: 2.5,
      cpm: 0,
      frequency: 0,
    });
  });

  it('keeps ids, names, dates and breakdowns as strings (ids exceed 2^53)', () => {
    expect(parsed).toMatchObject({
      account_id: '1010035716096012',
      campaign_id: '120210000000000001',
      campaign_name: 'Summer 2026',
      date_start: '2026-07-01',
      age: '25-34',
    });
  });

  it('converts action lists, value and attribution window columns', () => {
    expect(parsed.actions).toEqual([
      { action_type: 'link_click', value: 20, '1d_click': 15, '7d_click': 20 },
      { action_type: 'purchase', value: 3, '1d_view': 1 },
      { action_type: 'purchase', value: 2 },
    ]);
    expect(parsed.cost_per_action_type).toEqual([{ action_type: 'purchase', value: 33.5 }]);
    expect(parsed.purchase_roas).toEqual([{ action_type: 'omni_purchase', value: 4.2 }]);
  });

  it('converts caller-named custom metrics', () => {
    expect(parseInsightNumbers({ my_metric: '5.5' }, { numericFields: ['my_metric'] })).toEqual({
      my_metric: 5.5,
    });
    expect(parseInsightNumbers({ my_metric: '5.5' })).toEqual({ my_metric: '5.5' });
  });

  it('does not mutate the input', () => {
    expect(ROW.spend).toBe('100.50');
  });
});

describe('actionValue', () => {
  it('sums one action type, raw or parsed, any column', () => {
    expect(actionValue(ROW.actions, 'purchase')).toBe(5);
    expect(actionValue(parseInsightNumbers(ROW).actions, 'purchase')).toBe(5);
    expect(actionValue(ROW.actions, 'link_click', '1d_click')).toBe(15);
    expect(actionValue(ROW.actions, 'lead')).toBe(0);
    expect(actionValue(undefined, 'purchase')).toBe(0);
  });
});
