/** Ordered closers, shared with the producer (`@meta-engine/runtime`). */
export { Releasers } from '@meta-engine/runtime';
