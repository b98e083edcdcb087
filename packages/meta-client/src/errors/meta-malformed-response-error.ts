import type { MetaErrorOptions } from './meta-error.ts';
import { describeCall, isNamed, MetaError } from './meta-error.ts';

export type MalformedReason = 'not_json' | 'html' | 'unexpected_shape' | 'empty';

export interface MetaMalformedResponseErrorOptions extends Omit<MetaErrorOptions, 'category'> {
  reason: MalformedReason;
  /** What was wrong (schema issue summary); never the body itself. */
  detail?: string;
  contentType?: string;
}

/**
 * A response that is not the JSON we expect: an HTML error page from a proxy, truncated JSON,
 * an empty body, or JSON of the wrong shape. Transient (usually an edge/proxy problem).
 */
export class MetaMalformedResponseError extends MetaError {
  override readonly name = 'MetaMalformedResponseError' as const;
  readonly reason: MalformedReason;
  readonly detail: string | undefined;
  readonly contentType: string | undefined;

  constructor(options: MetaMalformedResponseErrorOptions) {
    const status = options.status === undefined ? '' : ` (HTTP ${options.status})`;
    const detail = options.detail ? `: ${options.detail}` : '';
    super(
      `Malformed response, ${options.reason}${status}${describeCall(options.method, options.path)}${detail}`,
      {
        ...options,
        category: 'transient',
      },
    );
    this.reason = options.reason;
    this.detail = options.detail;
    this.contentType = options.contentType;
  }
}

export function isMetaMalformedResponseError(error: unknown): error is MetaMalformedResponseError {
  return error instanceof MetaMalformedResponseError || isNamed(error, 'MetaMalformedResponseError');
}
