/** The token fingerprint shared with the worker (one implementation, in meta-client). */
export { shortFingerprint, tokenFingerprint } from '@meta-engine/meta-client';
