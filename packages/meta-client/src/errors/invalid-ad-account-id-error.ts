import { isNamed, MetaError } from './meta-error.ts';

const MAX_QUOTED = 64;

/** An ad account id that is neither `act_<digits>` nor `<digits>`. Category `request_bug`. */
export class InvalidAdAccountIdError extends MetaError {
  override readonly name = 'InvalidAdAccountIdError' as const;
  /** The rejected value (stringified, truncated to 64 characters). */
  readonly value: string;

  constructor(input: unknown) {
    const raw = typeof input === 'string' ? input : String(input);
    const value = raw.length > MAX_QUOTED ? `${raw.slice(0, MAX_QUOTED)}…` : raw;
    super(`Invalid ad account id ${JSON.stringify(value)}: expected "act_<digits>" or "<digits>"`, {
      category: 'request_bug',
    });
    this.value = value;
  }
}

export function isInvalidAdAccountIdError(error: unknown): error is InvalidAdAccountIdError {
  return error instanceof InvalidAdAccountIdError || isNamed(error, 'InvalidAdAccountIdError');
}
