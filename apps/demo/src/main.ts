// Placeholder until the end-to-end issue lands: says what `pnpm demo` will do and exits non-zero.
process.stderr.write(
  [
    'pnpm demo is not implemented yet. It will:',
    '  1. start Redis, Postgres and PostgREST (tests/local-stack) and the Meta sandbox with ~25 demo clients,',
    '  2. apply the migrations and seed the clients,',
    '  3. start the worker and the producer and run validation, cache refresh and insights collection,',
    '  4. print a per-client summary and the Bull Board URL with its credentials.',
    '',
  ].join('\n'),
);
process.exit(2);
