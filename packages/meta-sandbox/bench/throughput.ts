/**
 * Throughput benchmark: starts a sandbox (no faults, quotas too large to throttle) and hammers
 * it from this process over keep-alive connections, then prints requests per second.
 *
 *   node packages/meta-sandbox/bench/throughput.ts [--requests 20000] [--seconds 10] [--concurrency 64] [--mix simple|insights]
 *
 * Not a timed test: the figure depends on the machine (client and server share its cores).
 */
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { DEFAULT_ACCOUNT_IDS, SANDBOX_TOKENS, startSandbox } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '64' },
    mix: { type: 'string', default: 'simple' },
  },
});
const maxRequests = Number(values.requests);
const maxSeconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
if (![maxRequests, maxSeconds, concurrency].every((n) => Number.isFinite(n) && n > 0)) {
  process.stderr.write('throughput: --requests, --seconds and --concurrency must be positive numbers\n');
  process.exit(2);
}

const sandbox = await startSandbox({
  seed: 'bench',
  startTime: '2026-11-24T12:00:00Z',
  accountDefaults: { quotaOverride: { ads_insights: 1e9, ads_management: 1e9 } },
});
const url = new URL(sandbox.url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const account = `act_${DEFAULT_ACCOUNT_IDS[0]}`;

const simplePaths = [
  '/v26.0/me',
  `/v26.0/${account}?fields=id,name,account_status,disable_reason,currency,timezone_name`,
  `/v26.0/${account}/campaigns?fields=id,name,status,effective_status`,
  `/v26.0/${account}/insights?level=campaign&date_preset=yesterday&fields=campaign_id,spend,impressions,clicks`,
];
const insightsPaths = [
  `/v26.0/${account}/insights?level=campaign&time_range=${encodeURIComponent('{"since":"2026-11-01","until":"2026-11-23"}')}&time_increment=1&fields=campaign_id,campaign_name,spend,impressions,clicks,inline_link_clicks,ctr,cpc,cpm,reach,frequency,actions,action_values,conversions&limit=500`,
  `/v26.0/${account}/insights?breakdowns=age,gender&date_preset=last_7d&fields=impressions,clicks,spend,actions&limit=500`,
];
const paths = values.mix === 'insights' ? insightsPaths : simplePaths;

function once(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        agent,
        headers: { authorization: `Bearer ${SANDBOX_TOKENS.valid}` },
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let sent = 0;
let done = 0;
let failed = 0;
const started = performance.now();
const deadline = started + maxSeconds * 1000;

async function workerLoop(): Promise<void> {
  while (sent < maxRequests && performance.now() < deadline) {
    const path = paths[sent % paths.length] as string;
    sent++;
    const status = await once(path);
    done++;
    if (status !== 200) failed++;
  }
}

await Promise.all(Array.from({ length: concurrency }, () => workerLoop()));
const seconds = (performance.now() - started) / 1000;
agent.destroy();
await sandbox.close();

const rate = done / seconds;
process.stdout.write(
  `meta-sandbox throughput (${values.mix} mix, ${concurrency} concurrent keep-alive requests, client in-process):\n` +
    `  ${done} requests in ${seconds.toFixed(2)} s = ${Math.round(rate)} requests/s (${failed} non-200)\n`,
);
if (failed > 0) process.exitCode = 1;
