/**
 * @module add-secret
 * Adds a value to a live secrets list (the one `secretsFromEnv` built and the logger scrubs on every
 * line), keeping it longest first so a secret containing another is scrubbed whole. A token read later
 * (a rotation) is added here before anything can print it.
 *
 * @example
 * addSecret(config.secrets, newToken);
 */

/** Shorter values would scrub ordinary words (the same floor as `secretsFromEnv`). */
const MIN_SECRET_LENGTH = 8;

export function addSecret(secrets: string[], value: string): void {
  if (value.length < MIN_SECRET_LENGTH || secrets.includes(value)) return;
  const at = secrets.findIndex((existing) => existing.length < value.length);
  if (at === -1) secrets.push(value);
  else secrets.splice(at, 0, value);
}
