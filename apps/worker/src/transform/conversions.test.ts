import { describe, expect, it } from 'vitest';
import {
  type ConversionMappings,
  emptyConversionMetrics,
  extractContactsFromConversions,
  headlineConversions,
  normalizeConversionMappings,
  parseConversionMetrics,
  selectAccountPhoneActionType,
} from './conversions.ts';
import type { ActionEntry, InsightsRow } from './insights-row.ts';

const a = (action_type: string, value: string): ActionEntry => ({ action_type, value });

function campaign(overrides: InsightsRow): InsightsRow {
  return {
    campaign_id: '120210000000000001',
    campaign_name: 'Kampania',
    spend: '100.00',
    date_start: '2026-07-01',
    date_stop: '2026-07-31',
    ...overrides,
  };
}

// A realistic hotel booking-engine campaign: Meta reports each pixel event three times.
const belmonteRow = campaign({
  campaign_id: '120208888000000001',
  campaign_name: 'Belmonte - Rezerwacje',
  spend: '1523.47',
  actions: [
    a('link_click', '812'),
    a('omni_search', '420'),
    a('offsite_conversion.fb_pixel_search', '420'),
    a('search', '420'),
    a('omni_view_content', '233'),
    a('offsite_conversion.fb_pixel_view_content', '233'),
    a('omni_initiated_checkout', '61'),
    a('offsite_conversion.fb_pixel_initiate_checkout', '61'),
    a('omni_purchase', '12'),
    a('offsite_conversion.fb_pixel_purchase', '12'),
    a('purchase', '12'),
  ],
  action_values: [
    a('omni_purchase', '18450.50'),
    a('offsite_conversion.fb_pixel_purchase', '18450.50'),
    a('purchase', '18450.50'),
  ],
  conversions: [a('omni_purchase', '12'), a('offsite_conversion.fb_pixel_custom', '40')],
});

const PBM_PHONE_EVENT = 'offsite_conversion.custom.1470262077092668';

describe('parseConversionMetrics: default priorities', () => {
  it('counts an event reported as omni_*, fb_pixel_* and base name once (omni wins)', () => {
    const { campaigns, totals } = parseConversionMetrics([belmonteRow]);
    expect(campaigns[0]).toMatchObject({
      booking_step_1: 420,
      booking_step_2: 233,
      booking_step_3: 61,
      reservations: 12,
      reservation_value: 18450.5,
      conversion_value: 18450.5,
      total_conversion_value: 18450.5,
      conversions: 12,
    });
    expect(totals.reservations).toBe(12);
    expect(totals.roas).toBeCloseTo(18450.5 / 1523.47, 10);
    expect(totals.cost_per_reservation).toBeCloseTo(1523.47 / 12, 10);
  });

  it.each<[string, ActionEntry[], ActionEntry[], Record<string, number>]>([
    [
      'omni wins when it differs from the pixel count (omni also holds app and offline events)',
      [
        a('offsite_conversion.fb_pixel_purchase', '12'),
        a('omni_purchase', '14'),
        a('offsite_conversion.fb_pixel_view_content', '200'),
        a('omni_view_content', '230'),
        a('offsite_conversion.fb_pixel_initiate_checkout', '50'),
        a('omni_initiated_checkout', '55'),
        a('offsite_conversion.fb_pixel_search', '400'),
        a('omni_search', '410'),
      ],
      [a('offsite_conversion.fb_pixel_purchase', '17000'), a('omni_purchase', '19800')],
      {
        reservations: 14,
        booking_step_1: 410,
        booking_step_2: 230,
        booking_step_3: 55,
        reservation_value: 19800,
      },
    ],
    [
      'fb_pixel fallback when omni is absent',
      [a('offsite_conversion.fb_pixel_purchase', '3'), a('offsite_conversion.fb_pixel_search', '50')],
      [a('offsite_conversion.fb_pixel_purchase', '900')],
      { reservations: 3, booking_step_1: 50, reservation_value: 900 },
    ],
    [
      'base "search" only when both omni and pixel are absent',
      [a('search', '17')],
      [],
      { booking_step_1: 17 },
    ],
    [
      'a present omni zero wins over a non-zero pixel value (first present, not first positive)',
      [a('omni_search', '0'), a('offsite_conversion.fb_pixel_search', '7')],
      [],
      { booking_step_1: 0 },
    ],
    [
      'the same action type twice is summed',
      [a('omni_purchase', '2'), a('omni_purchase', '3')],
      [a('omni_purchase', '100.25'), a('omni_purchase', '50.25')],
      { reservations: 5, reservation_value: 150.5 },
    ],
    [
      'action types are matched case-insensitively',
      [a('OMNI_PURCHASE', '4')],
      [a('Omni_Purchase', '400')],
      { reservations: 4, reservation_value: 400 },
    ],
    [
      'counts are parsed like parseInt, invalid and negative entries ignored',
      [
        a('omni_view_content', '9.8'),
        a('omni_initiated_checkout', 'abc'),
        a('offsite_conversion.fb_pixel_initiate_checkout', '5'),
      ],
      [],
      { booking_step_2: 9, booking_step_3: 5 },
    ],
    [
      'link clicks are not a funnel step',
      [a('link_click', '500'), a('landing_page_view', '300')],
      [],
      {
        booking_step_1: 0,
        booking_step_2: 0,
        reservations: 0,
      },
    ],
  ])('%s', (_name, actions, action_values, expected) => {
    const { campaigns } = parseConversionMetrics([campaign({ actions, action_values })]);
    expect(campaigns[0]).toMatchObject(expected);
  });

  it('returns zeros, not placeholders, for an account without rows', () => {
    const result = parseConversionMetrics([]);
    expect(result.campaigns).toEqual([]);
    expect(result.totals).toEqual(emptyConversionMetrics());
    expect(Object.values(result.totals).every((v) => v === 0)).toBe(true);
    expect(result.headlineConversions).toBe(0);
  });

  it('sums campaigns and recomputes ROAS from the sums, 0 without spend', () => {
    const rows = [
      campaign({
        spend: '200',
        actions: [a('omni_purchase', '2')],
        action_values: [a('omni_purchase', '1000')],
      }),
      campaign({
        spend: '300',
        actions: [a('omni_purchase', '3')],
        action_values: [a('omni_purchase', '500')],
      }),
      campaign({
        spend: '0',
        actions: [a('omni_purchase', '1')],
        action_values: [a('omni_purchase', '250')],
      }),
    ];
    const { campaigns, totals, spend } = parseConversionMetrics(rows);
    expect(spend).toBe(500);
    expect(campaigns.map((c) => c.roas)).toEqual([5, 500 / 300, 0]);
    expect(campaigns[2]?.cost_per_reservation).toBe(0);
    expect(totals).toMatchObject({ reservations: 6, reservation_value: 1750, roas: 3.5 });
    expect(totals.cost_per_reservation).toBeCloseTo(500 / 6, 10);
    expect(parseConversionMetrics([campaign({ spend: '50', actions: [] })]).totals.cost_per_reservation).toBe(
      0,
    );
  });
});

describe('parseConversionMetrics: per-client mappings', () => {
  const mappedRow = campaign({
    actions: [
      a('offsite_conversion.custom.555', '7'),
      a('offsite_conversion.custom.777', '3'),
      a('offsite_conversion.custom.step1', '40'),
      a('omni_search', '99'),
      a('click_to_call_native_call_placed', '9'),
      a('omni_purchase', '5'),
      a('offsite_conversion.custom.booking', '4'),
    ],
    action_values: [a('omni_purchase', '5000'), a('offsite_conversion.custom.booking', '3600')],
  });

  it.each<[string, ConversionMappings, Record<string, number>]>([
    [
      'mapped metrics replace the defaults',
      {
        meta: {
          click_to_call: ['offsite_conversion.custom.555'],
          email_contacts: ['offsite_conversion.custom.777'],
          booking_step_1: ['offsite_conversion.custom.step1'],
        },
      },
      { click_to_call: 7, email_contacts: 3, booking_step_1: 40, reservations: 5, reservation_value: 5000 },
    ],
    [
      'the first listed type that is present wins',
      {
        meta: {
          booking_step_1: [
            'offsite_conversion.custom.absent',
            'OMNI_SEARCH',
            'offsite_conversion.custom.step1',
          ],
        },
      },
      { booking_step_1: 99 },
    ],
    [
      'a listed type that is never present gives 0, not the default',
      { meta: { booking_step_1: ['offsite_conversion.custom.absent'] } },
      { booking_step_1: 0 },
    ],
    [
      'mapped reservations also pick their value when reservation_value is not mapped',
      { meta: { reservations: ['offsite_conversion.custom.booking'] } },
      { reservations: 4, reservation_value: 3600, total_conversion_value: 3600 },
    ],
    [
      'an explicit reservation_value mapping beats the reservations mapping',
      { meta: { reservations: ['offsite_conversion.custom.booking'], reservation_value: ['omni_purchase'] } },
      { reservations: 4, reservation_value: 5000 },
    ],
    [
      'google mappings are ignored for Meta',
      { google: { booking_step_1: ['offsite_conversion.custom.step1'] } },
      { booking_step_1: 99 },
    ],
  ])('%s', (_name, mappings, expected) => {
    expect(parseConversionMetrics([mappedRow], mappings).campaigns[0]).toMatchObject(expected);
  });

  it('normalizes untrusted mapping JSON', () => {
    expect(
      normalizeConversionMappings({
        meta: {
          click_to_call: [' client.phone ', '', 'client.phone', 'client.alt'],
          unknown_metric: ['x'],
          booking_step_1: 'x',
        },
        google: [],
      }),
    ).toEqual({ meta: { click_to_call: ['client.phone', 'client.alt'] } });
    expect(normalizeConversionMappings(null)).toEqual({});
    expect(normalizeConversionMappings({ meta: { reservations: [] } })).toEqual({});
  });
});

describe('parseConversionMetrics: click_to_call chosen once per account', () => {
  it('uses placed calls for every campaign (Arche Nałęczów: 11, not 12)', () => {
    const rows = [
      campaign({
        campaign_name: 'Senior',
        actions: [a('click_to_call_native_call_placed', '6'), a('click_to_call_call_confirm', '11')],
      }),
      campaign({
        campaign_name: 'Reset dla śpiocha',
        actions: [a('click_to_call_native_call_placed', '5'), a('click_to_call_call_confirm', '11')],
      }),
      campaign({ campaign_name: 'Sala optymizmu', actions: [a('click_to_call_call_confirm', '1')] }),
    ];
    const result = parseConversionMetrics(rows);
    expect(result.phoneActionType).toBe('click_to_call_native_call_placed');
    expect(result.campaigns.map((c) => c.click_to_call)).toEqual([6, 5, 0]);
    expect(result.totals.click_to_call).toBe(11);
  });

  it('never sums subtypes within a campaign', () => {
    const row = campaign({
      actions: [
        a('click_to_call_call_confirm', '7'),
        a('click_to_call_native_call_placed', '6'),
        a('click_to_call_native_20s_call_connect', '4'),
      ],
    });
    expect(parseConversionMetrics([row]).totals.click_to_call).toBe(6);
  });

  it('prefers the PBM custom event present in any campaign', () => {
    const rows = [
      campaign({ actions: [a(PBM_PHONE_EVENT, '19'), a('click_to_call_call_confirm', '21')] }),
      campaign({ actions: [a('click_to_call_call_confirm', '8')] }),
    ];
    const result = parseConversionMetrics(rows);
    expect(result.phoneActionType).toBe(PBM_PHONE_EVENT);
    expect(result.totals.click_to_call).toBe(19);
  });

  it.each([
    [['click_to_call_native_20s_call_connect', 'phone_number_clicks'], 'phone_number_clicks'],
    [['call_confirm_grouped', 'click_to_call_call_confirm'], 'click_to_call_call_confirm'],
    [['click_to_call_zzz_new', 'click_to_call_abc_new'], 'click_to_call_abc_new'],
    [['offsite_conversion.click_to_call_x', 'link_click'], null],
  ])('present %j selects %s', (types, expected) => {
    const row = campaign({ actions: types.map((t) => a(t, '2')) });
    expect(selectAccountPhoneActionType([row])).toBe(expected);
  });

  it('parses with the type selectAccountPhoneActionType picks, even one whose only value is invalid', () => {
    // The app looks at which types are reported, not at their values: a garbage-valued preferred type still
    // wins the account and then counts 0 (not the next type's 5).
    const rows = [
      campaign({ actions: [a('Click_To_Call_Call_Confirm', 'n/a'), a('click_to_call_zzz', '5')] }),
      campaign({ actions: [a('click_to_call_abc', '-3'), a('phone_number_clicks', '4')] }),
    ];
    const result = parseConversionMetrics(rows);
    expect(result.phoneActionType).toBe(selectAccountPhoneActionType(rows));
    expect(result.phoneActionType).toBe('click_to_call_call_confirm');
    expect(result.totals.click_to_call).toBe(0);
    const fallback = [campaign({ actions: [a('click_to_call_zzz', '5'), a('Click_To_Call_Abc', 'x')] })];
    expect(parseConversionMetrics(fallback).phoneActionType).toBe('click_to_call_abc');
    expect(selectAccountPhoneActionType(fallback)).toBe('click_to_call_abc');
  });
});

describe('parseConversionMetrics: contacts from conversions[]', () => {
  const pixelPhone = 'offsite_conversion.fb_pixel_custom.PBM - kliknięcie w numer telefonu';
  const pixelEmail = 'offsite_conversion.fb_pixel_custom.PBM - kliknięcie w adres e-mail';

  it('reads PBM pixel phone and e-mail from conversions[] when actions[] has none (Nickel)', () => {
    const row = campaign({
      campaign_name: 'Nickel Resort',
      actions: [a('offsite_conversion.fb_pixel_custom', '40')],
      conversions: [a(pixelPhone, '7'), a(pixelEmail, '3')],
    });
    const result = parseConversionMetrics([row]);
    expect(result.campaigns[0]).toMatchObject({ click_to_call: 7, email_contacts: 3 });
    expect(result.contactSources).toEqual({ click_to_call: 'conversions', email_contacts: 'conversions' });
  });

  it('keeps call-ad counts from actions[] over the conversions[] fallback (Pinea)', () => {
    const row = campaign({
      actions: [a('click_to_call_native_call_placed', '19')],
      conversions: [a(pixelPhone, '50')],
    });
    expect(parseConversionMetrics([row]).totals.click_to_call).toBe(19);
  });

  it('does not mix actions[] phones with a conversions[]-only campaign (Arche: 11, not 12)', () => {
    const rows = [
      campaign({
        campaign_name: 'Arche call ads',
        actions: [a('click_to_call_native_call_placed', '11')],
        conversions: [],
      }),
      campaign({ campaign_name: 'Arche pixel', actions: [], conversions: [a(pixelPhone, '1')] }),
    ];
    const result = parseConversionMetrics(rows);
    expect(result.campaigns.map((c) => c.click_to_call)).toEqual([11, 0]);
    expect(result.totals.click_to_call).toBe(11);
    expect(result.contactSources.click_to_call).toBe('actions');
  });

  it('decides phone and e-mail sources independently', () => {
    const rows = [
      campaign({ actions: [a('click_to_call_native_call_placed', '4')], conversions: [a(pixelEmail, '2')] }),
      campaign({ actions: [], conversions: [a(pixelPhone, '9'), a(pixelEmail, '5')] }),
    ];
    const { totals, contactSources } = parseConversionMetrics(rows);
    expect(totals.click_to_call).toBe(4);
    expect(totals.email_contacts).toBe(7);
    expect(contactSources).toEqual({ click_to_call: 'actions', email_contacts: 'conversions' });
  });

  it('reads Havet e-mail from actions[] and ignores lead forms as e-mail', () => {
    const row = campaign({
      actions: [
        a('offsite_conversion.custom.2770488499782793', '6'),
        a('lead', '4'),
        a('onsite_conversion.lead_grouped', '4'),
      ],
      conversions: [a(pixelEmail, '30')],
    });
    expect(parseConversionMetrics([row]).totals.email_contacts).toBe(6);
  });

  it('matches the no-diacritics variants and the short e-mail wording', () => {
    const contacts = extractContactsFromConversions([
      a('offsite_conversion.fb_pixel_custom.PBM - klikniecie w numer telefonu', '2'),
      a('offsite_conversion.fb_pixel_custom.PBM - kliknięcie w numer telefonu', '1'),
      a('offsite_conversion.fb_pixel_custom.PBM - klikniecie w e-mail', '4'),
    ]);
    expect(contacts).toEqual({ click_to_call: 3, email_contacts: 4 });
  });

  it('falls back to the Havet e-mail event inside conversions[]', () => {
    expect(extractContactsFromConversions([a('offsite_conversion.custom.2770488499782793', '8')])).toEqual({
      click_to_call: 0,
      email_contacts: 8,
    });
  });

  it('applies mappings to conversions[] too', () => {
    const mappings: ConversionMappings = {
      meta: { click_to_call: ['offsite_conversion.fb_pixel_custom.telefon'] },
    };
    const row = campaign({
      actions: [],
      conversions: [a('offsite_conversion.fb_pixel_custom.Telefon', '12'), a(pixelPhone, '50')],
    });
    expect(parseConversionMetrics([row], mappings).totals.click_to_call).toBe(12);
  });
});

describe('headline conversions', () => {
  it.each<[string, InsightsRow, number]>([
    [
      'omni_purchase from conversions[]',
      { conversions: [a('omni_purchase', '9'), a('offsite_conversion.fb_pixel_custom', '40')] },
      9,
    ],
    [
      'minus lead and instant-form actions',
      {
        conversions: [a('omni_purchase', '9')],
        actions: [
          a('lead', '2'),
          a('onsite_conversion.lead_grouped', '1'),
          a('onsite_conversion.instant_form_submit', '1'),
        ],
      },
      5,
    ],
    ['never below zero', { conversions: [a('omni_purchase', '1')], actions: [a('leadgen_grouped', '4')] }, 0],
    [
      'the array sum without omni_purchase',
      { conversions: [a('offsite_conversion.fb_pixel_custom.x', '3'), a('contact', '2')] },
      5,
    ],
    ['a scalar conversions value', { conversions: '14', actions: [a('submit_application', '4')] }, 10],
    ['no conversions at all', { actions: [a('omni_purchase', '3')] }, 0],
  ])('%s', (_name, row, expected) => {
    expect(headlineConversions(row)).toBe(expected);
  });
});
