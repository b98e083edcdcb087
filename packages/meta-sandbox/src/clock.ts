/**
 * @module
 * The sandbox clock: a start instant plus scaled real time. With `timeScale` 3600 one sandbox
 * hour passes per real second, so rate-limit windows, blocks and async jobs run fast. Time can
 * also be advanced by hand.
 */
import { performance } from 'node:perf_hooks';

export class SandboxClock {
  private baseSandboxMs: number;
  private baseRealMs: number;
  private scale: number;

  constructor(startMs: number, timeScale: number) {
    this.baseSandboxMs = startMs;
    this.baseRealMs = performance.now();
    this.scale = timeScale;
  }

  /** Sandbox time, epoch milliseconds. */
  now(): number {
    return this.baseSandboxMs + (performance.now() - this.baseRealMs) * this.scale;
  }

  get timeScale(): number {
    return this.scale;
  }

  setTimeScale(timeScale: number): void {
    this.rebase();
    this.scale = timeScale;
  }

  /** Moves sandbox time forward by `ms` (blocks, windows and jobs see it at once). */
  advance(ms: number): void {
    this.baseSandboxMs += ms;
  }

  /** Real milliseconds that `sandboxMs` of sandbox time take. */
  toRealMs(sandboxMs: number): number {
    return sandboxMs / this.scale;
  }

  private rebase(): void {
    const now = this.now();
    this.baseRealMs = performance.now();
    this.baseSandboxMs = now;
  }
}
