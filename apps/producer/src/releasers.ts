/** Ordered closers, shared with the worker (`@meta-engine/runtime`). */
export { Releasers } from '@meta-engine/runtime';
