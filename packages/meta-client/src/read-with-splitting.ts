/**
 * Runs an insights read and, on a `data_too_large` error, splits the date range in halves and
 * merges the results (first half's rows, then the second's). Only for "Please reduce the amount
 * of data" is the page `limit` halved as well (a smaller page means more calls, §7 item 4).
 * A page size learned that way is kept for the remaining parts. When neither the range nor (for
 * that message) the limit can shrink, the error is rethrown.
 * Every part is read completely or the whole read fails: no partial results.
 */
import { isReduceDataError } from './classify-meta-error.ts';
import { isMetaError } from './errors/meta-error.ts';
import type { InsightsParams } from './insights-params.ts';
import type { UsageSnapshot } from './parse-usage-headers.ts';
import { halveLimit, splitInsightsParams } from './split-insights-params.ts';

export interface PartResult<T> {
  data: T[];
  usage: UsageSnapshot;
  /** Pages read for this part. */
  pages: number;
}

export interface SplitReadResult<T> extends PartResult<T> {
  /** How many parts the range ended up in (1 = no split). */
  parts: number;
}

export interface ReadWithSplittingOptions {
  /** Smallest page size when halving for "reduce the amount of data" (default 10). */
  minLimit?: number;
  /** Called before each retry with smaller parts (for logging / metrics). */
  onSplit?: (event: { reason: 'split' | 'halve_limit'; params: InsightsParams; error: unknown }) => void;
}

export const DEFAULT_MIN_LIMIT = 10;

export async function readWithSplitting<T>(
  params: InsightsParams,
  read: (params: InsightsParams) => Promise<PartResult<T>>,
  options: ReadWithSplittingOptions = {},
): Promise<SplitReadResult<T>> {
  // A page size learned from "reduce the amount of data" carries over to the remaining parts.
  const learned: { limit?: number } = {};
  return readPart(params, read, options, learned);
}

async function readPart<T>(
  requested: InsightsParams,
  read: (params: InsightsParams) => Promise<PartResult<T>>,
  options: ReadWithSplittingOptions,
  learned: { limit?: number },
): Promise<SplitReadResult<T>> {
  const params =
    learned.limit !== undefined && (requested.limit === undefined || requested.limit > learned.limit)
      ? { ...requested, limit: learned.limit }
      : requested;
  try {
    const result = await read(params);
    return { ...result, parts: 1 };
  } catch (error) {
    if (!isMetaError(error) || error.category !== 'data_too_large') throw error;
    const smaller = reduceDataRequested(error)
      ? halveLimit(params, options.minLimit ?? DEFAULT_MIN_LIMIT)
      : undefined;
    if (smaller?.limit !== undefined) learned.limit = smaller.limit;
    const base = smaller ?? params;
    const halves = splitInsightsParams(base);
    if (halves) {
      options.onSplit?.({ reason: 'split', params: base, error });
      const first = await readPart(halves[0], read, options, learned);
      const second = await readPart(halves[1], read, options, learned);
      return {
        data: [...first.data, ...second.data],
        usage: second.usage,
        pages: first.pages + second.pages,
        parts: first.parts + second.parts,
      };
    }
    if (smaller) {
      options.onSplit?.({ reason: 'halve_limit', params: smaller, error });
      return readPart(smaller, read, options, learned);
    }
    throw error;
  }
}

function reduceDataRequested(error: Error): boolean {
  const fields = error as { errorUserTitle?: unknown; errorUserMsg?: unknown };
  return isReduceDataError({
    message: error.message,
    errorUserTitle: typeof fields.errorUserTitle === 'string' ? fields.errorUserTitle : undefined,
    errorUserMsg: typeof fields.errorUserMsg === 'string' ? fields.errorUserMsg : undefined,
  });
}
