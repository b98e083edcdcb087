/** The token fingerprint shared with the producer (one implementation, in meta-client). */
export { shortFingerprint, tokenFingerprint } from '@meta-engine/meta-client';
