/**
 * @module
 * Configured access tokens: state (valid, revoked, expired), the ad accounts each may read, and
 * run-time revocation / rotation. Token values never leave this module except to the code that
 * created them: descriptions carry a label and a fingerprint only.
 */
import { createHash } from 'node:crypto';
import type { ParsedTokenSpec, TokenState } from '../config/schema.ts';
import { hashParts, numericId } from '../util/hash.ts';

export interface TokenRecord {
  value: string;
  state: TokenState;
  accountIds: 'all' | Set<string>;
  revokedSubcode: 460 | 467;
  expiresAt: number | null;
  issuedAt: number;
  userId: string;
  scopes: string[];
  label: string;
  fingerprint: string;
}

/** What admin output shows of a token. */
export interface TokenDescription {
  label: string;
  fingerprint: string;
  state: TokenState;
  accountIds: 'all' | string[];
  revokedSubcode?: 460 | 467;
  expiresAt?: string;
}

export const DEFAULT_SCOPES = ['ads_read', 'ads_management', 'business_management'];

/** sha256 of the value, first 12 hex digits: safe to log, enough to tell tokens apart. */
export function tokenFingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}

export interface TokenDefaults {
  seed: string;
  systemUserId: string;
  startMs: number;
}

export class TokenStore {
  private tokens = new Map<string, TokenRecord>();
  private counter = 0;
  private readonly defaults: TokenDefaults;

  constructor(defaults: TokenDefaults) {
    this.defaults = defaults;
  }

  add(spec: ParsedTokenSpec): TokenRecord {
    if (this.tokens.has(spec.value))
      throw new Error(`token ${tokenFingerprint(spec.value)} is configured twice`);
    this.counter++;
    const record: TokenRecord = {
      value: spec.value,
      state: spec.state,
      accountIds: spec.accountIds === 'all' ? 'all' : new Set(spec.accountIds),
      revokedSubcode: spec.revokedSubcode,
      expiresAt: spec.expiresAt ?? (spec.state === 'expired' ? this.defaults.startMs - 86_400_000 : null),
      issuedAt: spec.issuedAt ?? this.defaults.startMs - 30 * 86_400_000,
      userId: spec.userId ?? this.defaults.systemUserId,
      scopes: spec.scopes ?? DEFAULT_SCOPES,
      label: spec.label ?? `token-${this.counter}`,
      fingerprint: tokenFingerprint(spec.value),
    };
    this.tokens.set(spec.value, record);
    return record;
  }

  get(value: string): TokenRecord | undefined {
    return this.tokens.get(value);
  }

  /** The effective state at sandbox time `now` (a valid token past its expiresAt is expired). */
  stateAt(record: TokenRecord, now: number): TokenState {
    if (record.state === 'valid' && record.expiresAt !== null && record.expiresAt <= now) return 'expired';
    return record.state;
  }

  canRead(record: TokenRecord, accountId: string): boolean {
    return record.accountIds === 'all' || record.accountIds.has(accountId);
  }

  revoke(value: string, subcode?: 460 | 467): TokenRecord | undefined {
    const record = this.tokens.get(value);
    if (!record) return undefined;
    record.state = 'revoked';
    if (subcode !== undefined) record.revokedSubcode = subcode;
    return record;
  }

  expire(value: string, now: number): TokenRecord | undefined {
    const record = this.tokens.get(value);
    if (!record) return undefined;
    record.state = 'expired';
    record.expiresAt = now;
    return record;
  }

  /** A fresh deterministic token value ('EAASBX' + digits). */
  generateValue(): string {
    for (let attempt = 0; ; attempt++) {
      const value = `EAASBX${numericId('9', hashParts(this.defaults.seed, 'rotated-token', this.counter, attempt), 30)}`;
      if (!this.tokens.has(value)) return value;
    }
  }

  describe(record: TokenRecord): TokenDescription {
    const description: TokenDescription = {
      label: record.label,
      fingerprint: record.fingerprint,
      state: record.state,
      accountIds: record.accountIds === 'all' ? 'all' : [...record.accountIds],
    };
    if (record.state === 'revoked') description.revokedSubcode = record.revokedSubcode;
    if (record.expiresAt !== null) description.expiresAt = new Date(record.expiresAt).toISOString();
    return description;
  }

  list(): TokenDescription[] {
    return [...this.tokens.values()].map((record) => this.describe(record));
  }

  records(): TokenRecord[] {
    return [...this.tokens.values()];
  }
}
