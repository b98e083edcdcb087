/**
 * @module
 * Small, fast, seedable hashing and pseudo-random numbers. Everything synthetic in the sandbox
 * (ids, metrics, faults) is derived from these, so one seed always yields the same bytes.
 */

/** FNV-1a 32-bit hash of a string, finalised with murmur3's fmix32 for better bit spread. */
export function hashString(input: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** murmur3 finaliser: a bijective 32-bit mix. */
export function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines 32-bit keys into one 32-bit key (order matters). */
export function mixKeys(...keys: number[]): number {
  let h = 0x9e3779b9;
  for (const key of keys) {
    h = fmix32((h ^ Math.imul(key >>> 0, 0x9e3779b1)) + 0x7f4a7c15);
  }
  return h;
}

/** Hashes several string/number parts into one 32-bit key. */
export function hashParts(...parts: Array<string | number>): number {
  return hashString(parts.join('|'));
}

/** A generator of floats in [0, 1). */
export type Random = () => number;

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG. */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random integer in [min, max] (inclusive). */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** A float in [min, max). */
export function randomBetween(random: Random, min: number, max: number): number {
  return min + random() * (max - min);
}

/** Stochastic rounding: rounds up with probability equal to the fractional part. */
export function roundStochastic(random: Random, value: number): number {
  if (value <= 0) return 0;
  const floor = Math.floor(value);
  return random() < value - floor ? floor + 1 : floor;
}

/** A standard normal variate (Box-Muller). */
export function randomNormal(random: Random): number {
  const u = Math.max(random(), 1e-12);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A numeric string of `digits` digits (first digit non-zero) derived from a 32-bit key. */
export function numericId(prefix: string, key: number, digits: number): string {
  const random = mulberry32(key);
  let out = prefix;
  while (out.length < digits) out += String(Math.floor(random() * 10));
  return out;
}
