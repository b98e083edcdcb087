import { describe, expect, it } from 'vitest';
import { rule } from './env-rule.ts';

describe('rule', () => {
  it.each([
    [
      rule.anyOf(['REDIS_URL', 'REDIS_CLUSTER_NODES']),
      {},
      ['REDIS_URL: is required (or REDIS_CLUSTER_NODES)'],
    ],
    [rule.anyOf(['REDIS_URL', 'REDIS_CLUSTER_NODES']), { REDIS_CLUSTER_NODES: 'a:1' }, []],
    [rule.anyOf(['T', 'T_FILE'], 'to rotate'), {}, ['T: is required to rotate (or T_FILE)']],
    [rule.atMostOne(['T', 'T_FILE']), { T: 'a', T_FILE: 'b' }, ['T: set T or T_FILE, not both']],
    [rule.atMostOne(['A', 'B', 'C']), { A: '1', B: '2', C: '3' }, ['A: set only one of A, B, C']],
    [rule.atMostOne(['T', 'T_FILE']), { T_FILE: 'b' }, []],
    [rule.required('ADMIN_USER', 'to serve'), {}, ['ADMIN_USER: is required to serve']],
  ])('%#', (check, env, lines) => {
    expect(check(env).map(({ variable, problem }) => `${variable}: ${problem}`)).toEqual(lines);
  });
});
