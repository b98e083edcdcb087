/**
 * @module console/views/clients-page
 * The clients table: one row per client with its validation, each task's last success and error, the
 * freshness verdicts, collected days, blocks in force and pause, flagged failing / stale / throttled /
 * paused. Sorting and filtering are links and a GET form (no script); the rows come sorted from the view
 * model. Built for 1,000 rows: one template per row, no per-cell lookups.
 */

import type { ClientTask } from '@meta-engine/queue';
import { html } from 'hono/html';
import {
  type ClientFilter,
  type ClientRow,
  defaultDirection,
  FILTERS,
  type SortKey,
  type TaskCell,
} from '../client-view.ts';
import type { ClientsView } from '../console-service.ts';
import { formatAge, type ObjectiveName, type ObjectiveResult } from '../freshness.ts';
import { ago, badge, CONSOLE_PATH, type Html } from './layout.ts';
import { tokenPanelView } from './token-panel.ts';

const FILTER_LABEL: Record<ClientFilter, string> = {
  all: 'All',
  failing: 'Failing',
  stale: 'Stale',
  throttled: 'Throttled',
  paused: 'Paused',
  healthy: 'Healthy',
};

const OBJECTIVE_LABEL: Record<ObjectiveName, string> = {
  validation: 'validated',
  month_cache: 'month',
  week_cache: 'week',
  insights: 'yesterday',
};

/** The page's URL with some of filter / sort / dir changed (a new sort starts in its natural direction). */
function queryString(
  view: ClientsView,
  change: { filter?: ClientFilter; sort?: SortKey; dir?: 'asc' | 'desc' },
): string {
  const filter = change.filter ?? view.query.filter;
  const sort = change.sort ?? view.query.sort;
  const dir = change.sort !== undefined ? change.dir : (change.dir ?? view.query.dir);
  const params = new URLSearchParams();
  if (filter !== 'all') params.set('filter', filter);
  if (sort !== 'attention') params.set('sort', sort);
  if (dir !== undefined && dir !== defaultDirection(sort)) params.set('dir', dir);
  if (view.query.q) params.set('q', view.query.q);
  const text = params.toString();
  return text ? `?${text}` : '';
}

function sortHeader(view: ClientsView, key: SortKey, label: string): Html {
  const on = view.query.sort === key;
  const dir = on ? (view.query.dir === 'asc' ? 'desc' : 'asc') : undefined;
  const arrow = on ? (view.query.dir === 'asc' ? ' ▲' : ' ▼') : '';
  const href = `${CONSOLE_PATH}${queryString(view, dir ? { sort: key, dir } : { sort: key })}`;
  return html`<a class="${on ? 'on' : ''}" href="${href}">${label}${arrow}</a>`;
}

export function objectiveBadge(objective: ObjectiveName, result: ObjectiveResult): Html {
  const age = result.ageSeconds === null ? '' : ` ${formatAge(result.ageSeconds)}`;
  const label =
    result.state === 'not_applicable'
      ? `${OBJECTIVE_LABEL[objective]} n/a`
      : `${OBJECTIVE_LABEL[objective]}${age}`;
  return badge(result.state, label, result.detail);
}

function lastError(cell: TaskCell, now: Date): Html {
  if (!cell.lastError) return html``;
  const e = cell.lastError;
  const code = e.code === null ? '' : ` ${e.code}`;
  return html`<span class="line ${cell.failing ? 'err' : 'muted'}" title="${e.message}">✗ ${e.category}${code} ${ago(e.at, now)}</span><span class="msg ${cell.failing ? 'err' : 'muted'}">${e.message.slice(0, 120)}</span>`;
}

function taskCell(row: ClientRow, task: ClientTask, badges: Html, now: Date, bullBoardPath: string): Html {
  const cell = row.tasks[task];
  const job = cell.lastJobId
    ? html` <a href="${bullBoardPath}/queue/${task}/${encodeURIComponent(cell.lastJobId)}" title="last job in Bull Board">job</a>`
    : '';
  return html`<td>${badges}<span class="line">${cell.lastSuccessAt ? html`✓ ${ago(cell.lastSuccessAt, now)}` : html`<span class="muted">no success yet</span>`}${job}</span>${lastError(cell, now)}</td>`;
}

function flagsCell(row: ClientRow, now: Date): Html {
  const f = row.flags;
  return html`<td>${f.failing ? badge('failing', 'failing', row.problems.join('; ')) : ''} ${
    f.throttled ? badge('throttled', 'throttled') : ''
  } ${f.stale ? badge('stale', 'stale') : ''} ${f.paused ? badge('paused', 'paused', row.pause?.reason ?? '') : ''} ${
    !f.failing && !f.throttled && !f.stale && !f.paused ? badge('ok', 'healthy') : ''
  }${row.problems.length > 0 ? html`<span class="msg err">${row.problems.join('; ')}</span>` : ''}${
    row.pause
      ? html`<span class="msg muted">paused ${ago(row.pause.since, now)}${row.pause.reason ? `: ${row.pause.reason}` : ''}</span>`
      : ''
  }</td>`;
}

function clientRowView(row: ClientRow, now: Date, bullBoardPath: string): Html {
  const r = row.freshness.results;
  const v = row.validation;
  const blocks =
    row.blocks.length === 0
      ? html`<span class="muted">none</span>`
      : row.blocks.map(
          (b) =>
            html`<span class="line throttled">${b.buc === '*' ? 'all calls' : b.buc} blocked, lifts ${ago(b.until, now)}</span>`,
        );
  return html`<tr class="${row.flags.failing ? 'attention' : ''}" data-client="${row.id}">
<td><a href="${CONSOLE_PATH}/clients/${row.id}">${row.name || row.id}</a><br><small>${row.freshness.timezone}${row.freshness.timezoneKnown ? '' : ' (zone unknown)'}</small></td>
<td><code>act_${row.adAccountId}</code><br><small>${row.apiStatus}</small></td>
${taskCell(row, 'validate', html`${v.outcome ? badge(v.outcome === 'active' ? 'ok' : 'failing', v.outcome, v.error ?? '') : badge('stale', 'not validated')} ${objectiveBadge('validation', r.validation)}`, now, bullBoardPath)}
${taskCell(row, 'refresh-cache', html`${objectiveBadge('month_cache', r.month_cache)} ${objectiveBadge('week_cache', r.week_cache)}`, now, bullBoardPath)}
${taskCell(row, 'collect-insights', objectiveBadge('insights', r.insights), now, bullBoardPath)}
<td>${
    row.collected.firstDay
      ? html`<span class="line">${row.collected.spanDays} d</span><small class="line">since ${row.collected.firstDay}</small>`
      : html`<span class="muted">none</span>`
  }${row.collected.highWater ? html`<small class="line" title="high-water date">through ${row.collected.highWater}</small>` : ''}</td>
<td>${blocks}</td>
${flagsCell(row, now)}
</tr>`;
}

export function clientsPage(view: ClientsView, bullBoardPath: string): Html {
  const now = new Date(view.generatedAt);
  const filters = FILTERS.map(
    (f) =>
      html`<a class="${view.query.filter === f ? 'on' : ''}" href="${CONSOLE_PATH}${queryString(view, { filter: f })}">${FILTER_LABEL[f]} ${view.counts[f]}</a>`,
  );
  const taskHeader = (task: ClientTask, key: SortKey, label: string) =>
    html`<th>${task}<br>${sortHeader(view, key, label)}</th>`;
  return html`<h1>Clients</h1>
${tokenPanelView(view.token, now)}
<nav class="filters">${filters}
<form method="get" action="${CONSOLE_PATH}">${view.query.filter !== 'all' ? html`<input type="hidden" name="filter" value="${view.query.filter}">` : ''}<input type="search" name="q" value="${view.query.q}" placeholder="name, account or id"> <button type="submit">Search</button></form>
<span class="muted">${view.rows.length} of ${view.total} shown · generated ${now.toISOString()}</span></nav>
${
  view.throttleListTruncated
    ? html`<p class="panel banner">More than 1,000 blocked (account, use case) pairs: blocks of the accounts not listed are not shown.</p>`
    : ''
}
<table id="clients">
<thead><tr>
<th>${sortHeader(view, 'name', 'Client')}</th>
<th>${sortHeader(view, 'account', 'Ad account')}</th>
${taskHeader('validate', 'validated', 'validation')}
${html`<th>refresh-cache<br>${sortHeader(view, 'month_cache', 'month')} · ${sortHeader(view, 'week_cache', 'week')}</th>`}
${taskHeader('collect-insights', 'insights', 'insights')}
<th>${sortHeader(view, 'collected', 'Collected')}</th>
<th>${sortHeader(view, 'blocked', 'Throttle')}</th>
<th>${sortHeader(view, 'attention', 'State')}</th>
</tr></thead>
<tbody>
${view.rows.map((row) => clientRowView(row, now, bullBoardPath))}
</tbody>
</table>
<p class="muted">Objectives: a validation within ${formatAge(view.objectives.validationMaxAgeMs / 1000)}, month and week caches younger than ${formatAge(view.objectives.monthCacheMaxAgeMs / 1000)} / ${formatAge(view.objectives.weekCacheMaxAgeMs / 1000)}, yesterday's insights by ${String(view.objectives.insightsDueHour).padStart(2, '0')}:00 in the account's zone. Hover a badge for details.</p>`;
}
