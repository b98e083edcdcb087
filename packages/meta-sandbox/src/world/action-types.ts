/**
 * @module
 * The action types the synthetic data emits, in output order. They cover what the app parses
 * (reference app-contract §2.3): the funnel in `omni_*`, `offsite_conversion.fb_pixel_*` and plain
 * forms, the click-to-call variants, the PBM custom conversions, and lead actions.
 */

export const ACTION_TYPES = [
  'link_click',
  'landing_page_view',
  'post_engagement',
  'page_engagement',
  'search',
  'omni_search',
  'offsite_conversion.fb_pixel_search',
  'view_content',
  'omni_view_content',
  'offsite_conversion.fb_pixel_view_content',
  'initiate_checkout',
  'omni_initiated_checkout',
  'offsite_conversion.fb_pixel_initiate_checkout',
  'purchase',
  'omni_purchase',
  'offsite_conversion.fb_pixel_purchase',
  'click_to_call_native_call_placed',
  'click_to_call_call_confirm',
  'call_confirm_grouped',
  'phone_number_clicks',
  'click_to_call_native_20s_call_connect',
  'offsite_conversion.custom.1470262077092668',
  'offsite_conversion.custom.2770488499782793',
  'offsite_conversion.fb_pixel_custom',
  'lead',
  'onsite_conversion.lead_grouped',
] as const;

export type ActionType = (typeof ACTION_TYPES)[number];

/** Index of each action type in `ACTION_TYPES` (the layout of count arrays). */
export const ACTION_INDEX: Readonly<Record<ActionType, number>> = Object.fromEntries(
  ACTION_TYPES.map((type, index) => [type, index]),
) as Record<ActionType, number>;

/** Types of the `conversions` / `conversion_values` fields. */
export const CONVERSION_TYPES = [
  'omni_purchase',
  'offsite_conversion.fb_pixel_purchase',
  'offsite_conversion.fb_pixel_custom.pbm - kliknięcie w numer telefonu',
  'offsite_conversion.fb_pixel_custom.pbm - kliknięcie w adres e-mail',
] as const;

export type ConversionType = (typeof CONVERSION_TYPES)[number];

export const CONVERSION_INDEX: Readonly<Record<ConversionType, number>> = Object.fromEntries(
  CONVERSION_TYPES.map((type, index) => [type, index]),
) as Record<ConversionType, number>;

/** Native click-to-call subtypes an account may report as its primary phone action. */
export const NATIVE_CALL_TYPES = [
  'click_to_call_native_call_placed',
  'click_to_call_call_confirm',
  'call_confirm_grouped',
  'phone_number_clicks',
] as const satisfies readonly ActionType[];
