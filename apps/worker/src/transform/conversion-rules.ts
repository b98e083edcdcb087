/**
 * @module conversion-rules
 * Client-specific conversion events, as data: custom events some of the agency's clients (or the booking
 * engine they share) report under their own names. `conversions.ts` applies these rules generically; a new
 * client's custom event is a row here, not a new constant in the parser. Per-client overrides that live in
 * the database (`client_dashboard_config.conversion_mappings`) still replace these defaults per metric.
 *
 * Sources: `app-contract.md` §2.3 (the app's `meta-actions-parser.ts` and its contact fallbacks).
 */

export interface ClientConversionRule {
  /** Whose events these are (documentation and tests only; the rules apply to every account). */
  readonly source: string;
  /** Custom phone events in `actions[]` that beat every standard phone action when any campaign reports them. */
  readonly phoneActions?: readonly string[];
  /** E-mail events read from `actions[]`, and from `conversions[]` when no e-mail pattern matched there. */
  readonly emailActions?: readonly string[];
  /** Substrings of `conversions[]` action types counted as phone contacts (website pixel events). */
  readonly phoneConversionPatterns?: readonly string[];
  /** Substrings of `conversions[]` action types counted as e-mail contacts (website pixel events). */
  readonly emailConversionPatterns?: readonly string[];
}

export const CLIENT_CONVERSION_RULES: readonly ClientConversionRule[] = [
  {
    source: 'PBM booking engine (Havet and other hotels)',
    phoneActions: ['offsite_conversion.custom.1470262077092668'],
    // Website pixel contact events, which many hotel accounts only report in `conversions[]`.
    phoneConversionPatterns: [
      'offsite_conversion.fb_pixel_custom.pbm - kliknięcie w numer telefonu',
      'offsite_conversion.fb_pixel_custom.pbm - klikniecie w numer telefonu',
    ],
    emailConversionPatterns: [
      'offsite_conversion.fb_pixel_custom.pbm - kliknięcie w adres e-mail',
      'offsite_conversion.fb_pixel_custom.pbm - klikniecie w adres e-mail',
      'offsite_conversion.fb_pixel_custom.pbm - kliknięcie w e-mail',
      'offsite_conversion.fb_pixel_custom.pbm - klikniecie w e-mail',
    ],
  },
  {
    source: 'Havet (custom e-mail click event)',
    emailActions: ['offsite_conversion.custom.2770488499782793'],
  },
];

/** Every rule's lists concatenated in table order: what the parser reads. */
export interface ConversionRules {
  readonly phoneActions: readonly string[];
  readonly emailActions: readonly string[];
  readonly phoneConversionPatterns: readonly string[];
  readonly emailConversionPatterns: readonly string[];
}

export function mergeConversionRules(rules: readonly ClientConversionRule[]): ConversionRules {
  return {
    phoneActions: rules.flatMap((rule) => rule.phoneActions ?? []),
    emailActions: rules.flatMap((rule) => rule.emailActions ?? []),
    phoneConversionPatterns: rules.flatMap((rule) => rule.phoneConversionPatterns ?? []),
    emailConversionPatterns: rules.flatMap((rule) => rule.emailConversionPatterns ?? []),
  };
}

export const CONVERSION_RULES: ConversionRules = mergeConversionRules(CLIENT_CONVERSION_RULES);
