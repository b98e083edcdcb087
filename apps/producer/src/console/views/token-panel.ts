/**
 * @module console/views/token-panel
 * The shared token and the app-wide state, at the top of the clients page: type, scopes, expiry,
 * fingerprint, last check, paused queues and why, the last rotation, and an app-wide throttle with the
 * button that lifts it.
 */
import { html } from 'hono/html';
import type { TokenPanel } from '../token-view.ts';
import { actionButton, ago, badge, CONSOLE_PATH, type Html } from './layout.ts';

const STATUS_KIND: Record<string, string> = {
  ok: 'ok',
  token_fatal: 'failing',
  unknown: 'stale',
  none: 'stale',
};

export function tokenPanelView(panel: TokenPanel | { error: string }, now: Date): Html {
  if ('error' in panel) {
    return html`<section class="panel banner" id="token"><strong>Token</strong>: unavailable (${panel.error})</section>`;
  }
  const expires =
    panel.expires === 'never' || panel.expires === 'unknown'
      ? panel.expires
      : html`${ago(panel.expires, now)}`;
  return html`<section class="panel" id="token">
<div class="facts">
<div><strong>Token</strong> ${badge(STATUS_KIND[panel.status] ?? 'stale', panel.status)}</div>
<div><span>type</span>${panel.type ?? 'unknown'}</div>
<div><span>scopes</span>${panel.scopes ? panel.scopes.join(', ') : 'unknown'}</div>
<div><span>expires</span>${expires}</div>
<div><span>fingerprint</span><code>${panel.fingerprint ?? 'none'}</code></div>
<div><span>last check</span>${ago(panel.lastCheckedAt, now)}</div>
<div><span>last rotation</span>${
    panel.lastRotation
      ? html`<code>${panel.lastRotation.fingerprint}</code> ${ago(panel.lastRotation.at, now, '')}`
      : html`<span class="muted">none recorded</span>`
  }</div>
</div>
${
  panel.rotationPending
    ? html`<p class="failing">The token in this producer's environment is not rotated to yet: run <code>producer rotate</code> or POST /api/rotation.</p>`
    : ''
}
${panel.pausedReason ? html`<p class="failing">Meta traffic paused by the token: ${panel.pausedReason}</p>` : ''}
${
  panel.pausedQueues.length > 0
    ? html`<p class="paused">Paused queues: ${panel.pausedQueues.map(
        (q) =>
          html`<span class="line"><strong>${q.queue}</strong> ${q.reason ?? 'no reason recorded'}${
            q.detail ? ` (${q.detail})` : ''
          } ${q.since ? ago(q.since, now) : ''}</span>`,
      )}</p>`
    : ''
}
${
  panel.appBlock
    ? html`<p class="failing" id="app-block">App-wide throttle in force, lifts ${ago(panel.appBlock.until, now)}: ${
        panel.appBlock.reason || 'no reason recorded'
      } ${actionButton(`${CONSOLE_PATH}/app-block/clear`, 'Clear the app block', { danger: true })}</p>`
    : html`<p class="muted" id="app-block">No app-wide throttle.</p>`
}
</section>`;
}
