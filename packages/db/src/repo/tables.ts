/** Every table the repository touches. Only `src/repo/` uses these names. */
export const TABLES = {
  clients: 'clients',
  currentMonthCache: 'current_month_cache',
  currentWeekCache: 'current_week_cache',
  dailyKpi: 'daily_kpi_data',
  campaignSummaries: 'campaign_summaries',
  dashboardConfig: 'client_dashboard_config',
  campaignInsights: 'meta_campaign_insights',
  validations: 'meta_ad_account_validations',
  syncState: 'meta_sync_state',
  tokenState: 'meta_token_state',
  clientControls: 'meta_client_controls',
  summaryPeriods: 'meta_summary_periods',
  summaryChanges: 'meta_summary_changes',
  summaryDrift: 'meta_summary_drift',
} as const;

export type TableName = (typeof TABLES)[keyof typeof TABLES];
