import type { MetaErrorOptions } from './meta-error.ts';
import { describeCall, isNamed, MetaError } from './meta-error.ts';

export interface MetaNetworkErrorOptions extends Omit<MetaErrorOptions, 'category'> {
  /** The low-level error code (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, ...), when known. */
  errorCode?: string;
}

/** The request did not get a complete response: connection refused or reset, DNS, socket closed. Transient. */
export class MetaNetworkError extends MetaError {
  override readonly name = 'MetaNetworkError' as const;
  readonly errorCode: string | undefined;

  constructor(options: MetaNetworkErrorOptions) {
    const detail = options.errorCode ? ` (${options.errorCode})` : '';
    super(`Network error${detail}${describeCall(options.method, options.path)}`, {
      ...options,
      category: 'transient',
    });
    this.errorCode = options.errorCode;
  }
}

export function isMetaNetworkError(error: unknown): error is MetaNetworkError {
  return error instanceof MetaNetworkError || isNamed(error, 'MetaNetworkError');
}
