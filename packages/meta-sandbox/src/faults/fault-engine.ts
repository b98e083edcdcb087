/**
 * @module
 * Fault decisions (latency, hangs, malformed bodies, 5xx, empty pages, batch nulls, async job
 * fates). Every decision draws from its own seeded stream keyed by (account or app, purpose,
 * sequence number), so a run replays exactly for the same seed and request order per account.
 */
import type { FaultConfig, FaultOverride, LatencySpec } from '../config/schema.ts';
import { hashString, mixKeys, mulberry32, type Random, randomNormal } from '../util/hash.ts';

export type EffectiveFaults = Omit<FaultConfig, 'byAccount'>;

export interface TransportPlan {
  hang: boolean;
  malformed: 'truncated' | 'html' | null;
  latencyMs: number;
}

const APP_KEY = '_app';

/** Base faults merged with the per-account override (reduceData merged field by field). */
export function effectiveFaults(config: FaultConfig, accountId: string | null): EffectiveFaults {
  const { byAccount, ...base } = config;
  const override: FaultOverride | undefined = accountId === null ? undefined : byAccount[accountId];
  if (!override) return base;
  return {
    ...base,
    ...override,
    reduceData: { ...base.reduceData, ...override.reduceData },
  } as EffectiveFaults;
}

export function sampleLatency(spec: LatencySpec | null, random: Random): number {
  if (spec === null) return 0;
  if ('fixedMs' in spec) return spec.fixedMs;
  if ('meanMs' in spec) return Math.max(0, spec.meanMs + (2 * random() - 1) * spec.jitterMs);
  const sigma = spec.p95Ms > spec.p50Ms ? Math.log(spec.p95Ms / spec.p50Ms) / 1.6448536 : 0;
  return spec.p50Ms * Math.exp(sigma * randomNormal(random));
}

export class FaultEngine {
  private counters = new Map<string, number>();
  private readonly seedKey: number;

  constructor(seed: string) {
    this.seedKey = hashString(`faults|${seed}`);
  }

  /** The next random stream for (scope, purpose). */
  private stream(scope: string | null, purpose: string): Random {
    const key = `${scope ?? APP_KEY}|${purpose}`;
    const n = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, n);
    return mulberry32(mixKeys(this.seedKey, hashString(key), n));
  }

  /** Whether a fault with probability `rate` fires (no draw when rate is 0). */
  chance(scope: string | null, purpose: string, rate: number): boolean {
    if (rate <= 0) return false;
    return this.stream(scope, purpose)() < rate;
  }

  /** Transport-level faults for one HTTP request. */
  transport(faults: EffectiveFaults, scope: string | null): TransportPlan {
    const hang = this.chance(scope, 'hang', faults.hangRate);
    let malformed: TransportPlan['malformed'] = null;
    if (!hang && this.chance(scope, 'malformed', faults.malformedRate)) {
      malformed =
        faults.malformedKind === 'mixed'
          ? this.stream(scope, 'malformed-kind')() < 0.5
            ? 'truncated'
            : 'html'
          : faults.malformedKind;
    }
    const latencyMs =
      faults.latency === null ? 0 : sampleLatency(faults.latency, this.stream(scope, 'latency'));
    return { hang, malformed, latencyMs };
  }

  /** An injected server error status, or null. */
  serverError(faults: EffectiveFaults, scope: string | null): 500 | 503 | null {
    if (!this.chance(scope, 'server-error', faults.serverErrorRate)) return null;
    const statuses = faults.serverErrorStatuses;
    const index = Math.floor(this.stream(scope, 'server-error-status')() * statuses.length);
    return statuses[index] ?? 500;
  }

  /** The fate of a new report run. */
  reportFate(
    faults: EffectiveFaults,
    scope: string,
  ): { fate: 'complete' | 'fail' | 'skip'; firstPollNotFound: boolean } {
    const random = this.stream(scope, 'report-fate');
    const roll = random();
    const fate =
      roll < faults.asyncSkipRate
        ? 'skip'
        : roll < faults.asyncSkipRate + faults.asyncFailRate
          ? 'fail'
          : 'complete';
    const firstPollNotFound = random() < faults.asyncFirstPollNotFoundRate;
    return { fate, firstPollNotFound };
  }

  reset(): void {
    this.counters.clear();
  }
}
