/**
 * @module buc
 * The two business use cases this system's calls count against, and which one a call belongs to.
 */

/** Meta's BUC types for the calls this worker makes. */
export const BUC = { insights: 'ads_insights', management: 'ads_management' } as const;

/**
 * The BUC of a call from its path, when the usage headers do not say: `/insights` reads and report runs
 * (`/<report_run_id>`, the only bare numeric ids this worker reads) are `ads_insights`; the ad account
 * object (`/act_<id>`) is `ads_management`.
 */
export function bucForPath(path: string): string {
  if (/\/insights$/.test(path) || /^\/(?:v\d+\.\d+\/)?\d+$/.test(path)) return BUC.insights;
  return BUC.management;
}
