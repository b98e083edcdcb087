import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WORKER_NODE_FLAGS } from './node-flags.ts';

const root = new URL('../../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const scriptOf = (path: string, name: string) =>
  (JSON.parse(read(path)) as { scripts: Record<string, string> }).scripts[name] ?? '';

describe('WORKER_NODE_FLAGS', () => {
  it('is how every documented way of starting a worker process starts it', () => {
    const flags = WORKER_NODE_FLAGS.join(' ');
    expect(scriptOf('package.json', 'worker')).toBe(`node ${flags} apps/worker/src/main.ts`);
    expect(scriptOf('apps/worker/package.json', 'start')).toBe(`node ${flags} src/main.ts`);
    const compose = read('docker-compose.yml');
    const command = JSON.stringify(['node', ...WORKER_NODE_FLAGS, 'apps/worker/src/main.ts']).replaceAll(
      ',',
      ', ',
    );
    expect(compose).toContain(`command: ${command}`);
  });

  it('holds flags this Node accepts', () => {
    for (const flag of WORKER_NODE_FLAGS) {
      expect(process.allowedNodeEnvironmentFlags.has(flag.split('=')[0]!)).toBe(true);
    }
  });
});
