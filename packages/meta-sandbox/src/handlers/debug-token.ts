/**
 * @module
 * `GET /debug_token?input_token=...` in the system-user shape of reference §5.1.
 */
import { invalidParameterError } from '../graph/errors.ts';
import { formatPacificTimestamp } from '../util/dates.ts';
import { type CallContext, type HandlerResult, ok } from './types.ts';

export function debugToken(ctx: CallContext): HandlerResult {
  const { state, req, now } = ctx;
  const input = req.params.get('input_token');
  if (input === undefined || input.length === 0)
    return invalidParameterError('The parameter input_token is required');
  const settings = state.settings;
  const record = state.tokens.get(input);
  if (!record) {
    return ok({
      data: {
        is_valid: false,
        error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
        scopes: [],
      },
    });
  }
  const tokenState = state.tokens.stateAt(record, now);
  const accountIds =
    record.accountIds === 'all'
      ? [...state.world.accountOrder]
      : [...record.accountIds].filter((id) => id.length > 0);
  const data: Record<string, unknown> = {
    app_id: settings.app.id,
    type: 'SYSTEM_USER',
    application: settings.app.name,
    data_access_expires_at: 0,
    expires_at: record.expiresAt === null ? 0 : Math.floor(record.expiresAt / 1000),
    is_valid: tokenState === 'valid',
    issued_at: Math.floor(record.issuedAt / 1000),
    scopes: record.scopes,
    granular_scopes: record.scopes.map((scope) =>
      scope === 'ads_read' || scope === 'ads_management' ? { scope, target_ids: accountIds } : { scope },
    ),
    user_id: record.userId,
  };
  if (tokenState === 'expired') {
    const expiredAt = record.expiresAt ?? now;
    data.error = {
      code: 190,
      message: `Error validating access token: Session has expired on ${formatPacificTimestamp(expiredAt)}. The current time is ${formatPacificTimestamp(now)}.`,
      subcode: 463,
    };
  } else if (tokenState === 'revoked') {
    data.error = {
      code: 190,
      message:
        record.revokedSubcode === 460
          ? 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.'
          : 'Error validating access token: The session is invalid because the user logged out.',
      subcode: record.revokedSubcode,
    };
  }
  return ok({ data });
}
