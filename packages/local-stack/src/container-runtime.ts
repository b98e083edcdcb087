import { existsSync } from 'node:fs';
import { withDeadline } from './with-deadline.ts';

/**
 * Is a Docker engine usable? The cheap check comes first: with neither DOCKER_HOST nor the default socket
 * there is no engine, and we answer in microseconds instead of loading testcontainers.
 */
export async function hasContainerRuntime(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env.LOCAL_STACK_NO_CONTAINERS === '1') return false;
  if (!env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await withDeadline(getContainerRuntimeClient(), 3000);
    return true;
  } catch {
    return false;
  }
}
