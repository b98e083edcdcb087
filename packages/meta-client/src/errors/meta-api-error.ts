import type { MetaErrorOptions } from './meta-error.ts';
import { describeCall, isNamed, MetaError } from './meta-error.ts';

export interface MetaApiErrorOptions extends MetaErrorOptions {
  status: number;
  code: number;
  /** Meta's `message`, already scrubbed. */
  metaMessage: string;
  type?: string;
  errorUserTitle?: string;
  errorUserMsg?: string;
  /** Meta's `error_data` (validation details), scrubbed. */
  errorData?: unknown;
}

/** An error envelope from the Graph API (`{"error": {...}}`), in a response. */
export class MetaApiError extends MetaError {
  override readonly name = 'MetaApiError' as const;
  declare readonly status: number;
  declare readonly code: number;
  /** Meta's `message` (scrubbed). */
  readonly metaMessage: string;
  /** Meta's `type`, e.g. `OAuthException`, `GraphMethodException`. */
  readonly type: string | undefined;
  readonly errorUserTitle: string | undefined;
  readonly errorUserMsg: string | undefined;
  readonly errorData: unknown;

  constructor(options: MetaApiErrorOptions) {
    const codes = options.subcode === undefined ? `#${options.code}` : `#${options.code}/${options.subcode}`;
    super(
      `Meta API error ${options.status} (${codes}, ${options.category})${describeCall(options.method, options.path)}: ${options.metaMessage}`,
      options,
    );
    this.metaMessage = options.metaMessage;
    this.type = options.type;
    this.errorUserTitle = options.errorUserTitle;
    this.errorUserMsg = options.errorUserMsg;
    this.errorData = options.errorData;
  }
}

export function isMetaApiError(error: unknown): error is MetaApiError {
  return error instanceof MetaApiError || isNamed(error, 'MetaApiError');
}
