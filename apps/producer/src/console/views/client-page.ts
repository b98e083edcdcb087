/**
 * @module console/views/client-page
 * One client: what is wrong, the operator's buttons (re-validate, refresh, collect now; clear this
 * account's blocks; pause or resume), the freshness verdicts, each task's sync state, the limiter's view of
 * its ad account, its recent jobs (linked to Bull Board) and its validation history. After an action the
 * page follows the run it started and reloads itself until the run is finished.
 */

import { CLIENT_TASKS } from '@meta-engine/queue';
import { html } from 'hono/html';
import type { RunProgress } from '../../fanout/run-store.ts';
import type { ClientDetail } from '../console-service.ts';
import { OBJECTIVE_TASK, OBJECTIVES } from '../freshness.ts';
import { objectiveBadge } from './clients-page.ts';
import { actionButton, ago, badge, CONSOLE_PATH, type Html } from './layout.ts';

/** The fixed set of messages an action's redirect may ask for (`?notice=`): no text from the URL is shown. */
export const NOTICES = {
  'run-started': 'Run started: the page reloads until it is finished.',
  'blocks-cleared': "The account's blocks are lifted (slowdowns stay).",
  paused: 'Paused: this client gets no jobs until resumed.',
  resumed: 'Resumed: the next runs include this client again.',
  'refused-paused': 'Nothing started: the client is paused. Resume it first.',
  'refused-account': 'Nothing done: the ad account id is malformed.',
  'app-block-cleared': 'The app-wide block is lifted.',
} as const;
export type NoticeCode = keyof typeof NOTICES;

function runPanel(run: RunProgress, now: Date): Html {
  const state = run.finished
    ? run.failed > 0 || run.status === 'failed'
      ? badge('failing', 'finished with failures')
      : badge('ok', 'finished')
    : badge('stale', run.status === 'enqueued' ? 'running' : run.status);
  return html`<p>Run <code>${run.runId}</code> (${run.task}) ${state}: ${run.done} done, ${run.failed} failed, ${run.pending} pending${
    run.paused > 0 ? ', left out: paused' : ''
  }; started ${ago(run.createdAt, now)}.</p>`;
}

export function clientPage(
  detail: ClientDetail,
  options: { bullBoardPath: string; notice?: NoticeCode | undefined; run?: RunProgress | null | undefined },
): Html {
  const now = new Date(detail.generatedAt);
  const c = detail.client;
  const base = `${CONSOLE_PATH}/clients/${c.id}`;
  const paused = c.flags.paused;
  const notice = options.notice
    ? html`<section class="panel notice ${options.notice.startsWith('refused') ? 'bad' : ''}" id="notice">${NOTICES[options.notice]}${
        options.run ? runPanel(options.run, now) : ''
      }</section>`
    : options.run
      ? html`<section class="panel notice" id="notice">${runPanel(options.run, now)}</section>`
      : '';
  const runActions = paused
    ? html`<span class="paused">Paused${c.pause?.reason ? `: ${c.pause.reason}` : ''} (since ${ago(c.pause?.since, now)}${
        c.pause?.by ? `, by ${c.pause.by}` : ''
      }). No jobs until resumed.</span> ${actionButton(`${base}/resume`, 'Resume')}`
    : html`${actionButton(`${base}/revalidate`, 'Re-validate now')} ${actionButton(`${base}/refresh`, 'Refresh caches now')} ${actionButton(
        `${base}/collect`,
        'Collect insights now',
      )} ${actionButton(`${base}/pause`, 'Pause', {
        danger: true,
        field: html`<input type="text" name="reason" maxlength="500" placeholder="why (optional)"> `,
      })}`;
  const throttle = detail.throttle;
  return html`<p><a href="${CONSOLE_PATH}">← all clients</a></p>
<h1>${c.name || c.id}</h1>
${notice}
<section class="panel">
<div class="facts">
<div><span>client</span><code>${c.id}</code></div>
<div><span>ad account</span><code>act_${c.adAccountId}</code>${c.adAccountValid ? '' : html` ${badge('failing', 'malformed')}`}</div>
<div><span>api_status</span>${c.apiStatus}</div>
<div><span>token health</span>${c.tokenHealthStatus ?? 'unknown'}</div>
<div><span>time zone</span>${c.freshness.timezone}${c.freshness.timezoneKnown ? '' : ' (unknown: no validation yet)'}</div>
<div><span>collected</span>${
    c.collected.firstDay
      ? `${c.collected.days ?? c.collected.spanDays} days with data, ${c.collected.firstDay} to ${c.collected.lastDay}`
      : 'nothing yet'
  }</div>
<div id="state"><span>state</span>${c.flags.failing ? badge('failing', 'failing') : ''} ${c.flags.throttled ? badge('throttled', 'throttled') : ''} ${
    c.flags.stale ? badge('stale', 'stale') : ''
  } ${paused ? badge('paused', 'paused') : ''} ${
    !c.flags.failing && !c.flags.throttled && !c.flags.stale && !paused ? badge('ok', 'healthy') : ''
  }</div>
</div>
${c.problems.length > 0 ? html`<ul class="failing">${c.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
<div class="actions" id="actions">${runActions} ${actionButton(`${base}/clear-blocks`, "Clear this account's blocks")}</div>
</section>

<h2>Freshness objectives</h2>
<table id="objectives"><thead><tr><th>objective</th><th>task</th><th>state</th><th>detail</th></tr></thead><tbody>
${OBJECTIVES.map(
  (o) =>
    html`<tr><td>${o}</td><td>${OBJECTIVE_TASK[o]}</td><td>${objectiveBadge(o, c.freshness.results[o])}</td><td>${c.freshness.results[o].detail}</td></tr>`,
)}
</tbody></table>

<h2>Tasks (sync state)</h2>
<table id="tasks"><thead><tr><th>task</th><th>last success</th><th>last error</th><th>high-water date</th><th>last run</th></tr></thead><tbody>
${CLIENT_TASKS.map((task) => {
  const t = c.tasks[task];
  const e = t.lastError;
  return html`<tr><td>${task}</td><td>${ago(t.lastSuccessAt, now)}</td><td>${
    e
      ? html`<span class="${t.failing ? 'err' : 'muted'}">${e.category}${e.code === null ? '' : ` ${e.code}`} ${ago(e.at, now)}<span class="msg">${e.message}</span></span>`
      : html`<span class="muted">none</span>`
  }</td><td>${task === 'collect-insights' ? (c.collected.highWater ?? '') : ''}</td><td>${
    t.lastJobId
      ? html`<a href="${options.bullBoardPath}/queue/${task}/${encodeURIComponent(t.lastJobId)}">${t.lastRunId}</a>`
      : html`<span class="muted">none</span>`
  }</td></tr>`;
})}
</tbody></table>

<h2>Throttle (limiter)</h2>
${
  throttle === null
    ? html`<p class="muted">No limiter state: the ad account id is malformed.</p>`
    : html`<table id="throttle"><thead><tr><th>use case</th><th>utilisation</th><th>slowdown</th><th>blocked until</th><th>reason</th></tr></thead><tbody>
${
  throttle.bucs.length === 0
    ? html`<tr><td colspan="5" class="muted">No usage reported, no block.</td></tr>`
    : throttle.bucs.map(
        (b) =>
          html`<tr><td>${b.buc === '*' ? 'whole account' : b.buc}</td><td>${b.utilizationPct === null ? '' : `${b.utilizationPct}%`}</td><td>${
            b.factor === 1 ? '' : `x${b.factor}`
          }</td><td>${b.blockedUntil ? html`<span class="throttled">${ago(b.blockedUntil.toISOString(), now)}</span>` : ''}</td><td>${b.reason ?? ''}</td></tr>`,
      )
}
</tbody></table><p class="muted">${throttle.activeLeases} job(s) hold a lease on this account now.${
        detail.appBlock
          ? html` <span class="failing">App-wide block, lifts ${ago(detail.appBlock.until, now)}.</span>`
          : ''
      }</p>`
}

<h2>Recent jobs</h2>
${
  detail.jobs.length === 0
    ? html`<p class="muted">No job of this client is in Redis (finished jobs are removed after their retention).</p>`
    : html`<table id="jobs"><thead><tr><th>task</th><th>job</th><th>state</th><th>created</th><th>finished</th><th>attempts</th><th>failure</th></tr></thead><tbody>
${detail.jobs.map(
  (j) =>
    html`<tr><td>${j.task}</td><td><a href="${options.bullBoardPath}/queue/${j.task}/${encodeURIComponent(j.id)}">${j.id}</a></td><td>${j.state}</td><td>${ago(
      j.createdAt,
      now,
    )}</td><td>${ago(j.finishedAt, now, '')}</td><td>${j.attemptsMade}</td><td><span class="msg err">${j.failedReason ?? ''}</span></td></tr>`,
)}
</tbody></table>`
}

<h2>Validations</h2>
${
  detail.validations.length === 0
    ? html`<p class="muted">Never validated.</p>`
    : html`<table id="validations"><thead><tr><th>checked</th><th>outcome</th><th>account</th><th>currency / zone</th><th>error</th><th>api_status</th><th>run</th></tr></thead><tbody>
${detail.validations.map(
  (v) =>
    html`<tr><td>${ago(v.checkedAt, now)}</td><td>${badge(v.outcome === 'active' ? 'ok' : 'failing', v.outcome)}</td><td>${v.accountName ?? ''}${
      v.accountStatus === null ? '' : html` <small>status ${v.accountStatus}</small>`
    }</td><td>${v.currency ?? ''} ${v.timezone ?? ''}</td><td><span class="msg err">${v.error ?? ''}</span></td><td>${v.apiStatusBefore ?? ''} → ${
      v.apiStatusAfter ?? ''
    }</td><td><small>${v.runId ?? ''}</small></td></tr>`,
)}
</tbody></table>`
}`;
}
