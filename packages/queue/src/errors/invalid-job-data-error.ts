export const INVALID_JOB_DATA_ERROR_NAME = 'InvalidJobDataError';

/**
 * A job payload failed its schema. `issues` are `path: message` lines; the message lists them all, e.g.
 * `invalid validate job data: clientId: must be a UUID; adAccountId: required`.
 */
export class InvalidJobDataError extends Error {
  override readonly name = INVALID_JOB_DATA_ERROR_NAME;
  readonly task: string;
  readonly issues: readonly string[];

  constructor(task: string, issues: readonly string[], options?: ErrorOptions) {
    super(`invalid ${task} job data: ${issues.join('; ')}`, options);
    this.task = task;
    this.issues = issues;
  }
}

export function isInvalidJobDataError(error: unknown): error is InvalidJobDataError {
  return error instanceof Error && error.name === INVALID_JOB_DATA_ERROR_NAME;
}
