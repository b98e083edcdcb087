/**
 * @module console/views/layout
 * The console's page shell and small shared pieces, as `hono/html` tagged templates (every interpolated
 * value is HTML-escaped; nothing is built by string concatenation). Not `hono/jsx`: Node 24's type
 * stripping does not run `.tsx` (JSX needs a transform, not just erasure) and the project has no build step. No script at all: the pages read and
 * act with links and forms, and a page that waits for a run refreshes itself with `<meta refresh>`. The
 * Content-Security-Policy forbids scripts, foreign forms and framing (no clickjacking of the buttons).
 */
import { html } from 'hono/html';
import { formatAge } from '../freshness.ts';

export type Html = ReturnType<typeof html>;

export const CONSOLE_PATH = '/console';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `
:root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#f7f8fa; --ok:#067647; --bad:#b42318; --warn:#b54708;
  --throttle:#6941c6; --pause:#475467; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 16px; align-items: baseline; padding: 10px 20px; background: #101828; color: #fff; }
header a { color: #d0d5dd; text-decoration: none; } header a:hover { color: #fff; } header strong { font-size: 15px; }
main { padding: 14px 20px 40px; }
h1 { font-size: 18px; margin: 4px 0 10px; } h2 { font-size: 14px; margin: 18px 0 6px; }
a { color: #175cd3; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin-bottom: 12px; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 22px; } .facts div span { color: var(--muted); margin-right: 4px; }
.notice { border-left: 4px solid #175cd3; } .notice.bad { border-left-color: var(--bad); }
.banner { border-left: 4px solid var(--bad); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; vertical-align: top; padding: 5px 7px; border-bottom: 1px solid var(--line); }
th { background: #f2f4f7; font-weight: 600; white-space: nowrap; position: sticky; top: 0; }
th a { color: inherit; text-decoration: none; } th a.on { text-decoration: underline; }
td small, .muted { color: var(--muted); }
.b { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 11px; font-weight: 600; white-space: nowrap; border: 1px solid; }
.met, .ok { color: var(--ok); } .not_met, .stale { color: var(--warn); } .failing, .err { color: var(--bad); }
.throttled { color: var(--throttle); } .paused, .not_applicable { color: var(--pause); }
tr.attention td:first-child { box-shadow: inset 4px 0 var(--bad); }
nav.filters { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; margin: 6px 0 10px; }
nav.filters a { padding: 3px 9px; border: 1px solid var(--line); border-radius: 12px; background: #fff; text-decoration: none; color: var(--fg); }
nav.filters a.on { background: #101828; color: #fff; border-color: #101828; }
form.inline { display: inline; } button { font: inherit; padding: 3px 10px; border: 1px solid #98a2b3; border-radius: 5px; background: #fff; cursor: pointer; }
button.danger { border-color: var(--bad); color: var(--bad); }
input[type=search], input[type=text] { font: inherit; padding: 3px 6px; border: 1px solid #98a2b3; border-radius: 5px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.line { display: block; white-space: nowrap; } .msg { display: block; max-width: 360px; overflow-wrap: anywhere; }
`;

/** A whole page. `refreshSeconds` makes the browser reload it (a run is still going). */
export function page(options: {
  title: string;
  body: Html;
  refreshSeconds?: number | undefined;
  bullBoardPath: string;
}): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${options.title} · Meta engine console</title>
<style>${STYLE}</style>
</head>
<body>
<header><strong>Meta engine console</strong>
<a href="${CONSOLE_PATH}">Clients</a>
<a href="${options.bullBoardPath}">Bull Board</a>
<a href="/api/clients">JSON</a>
<a href="/metrics">Metrics</a></header>
<main>${options.body}</main>
</body>
</html>`;
}

/** `<time>` with a relative text ("2.5 h ago") and the exact time as its title. */
export function ago(iso: string | null | undefined, now: Date, never = 'never'): Html {
  if (!iso) return html`<span class="muted">${never}</span>`;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return html`<span class="muted">${iso}</span>`;
  const seconds = (now.getTime() - at) / 1000;
  const words = seconds >= 0 ? `${formatAge(seconds)} ago` : `in ${formatAge(-seconds)}`;
  const exact = new Date(at).toISOString();
  return html`<time datetime="${exact}" title="${exact}">${words}</time>`;
}

/** A small coloured label; `kind` is also its CSS class. */
export function badge(kind: string, label: string, title?: string): Html {
  return html`<span class="b ${kind}"${title ? html` title="${title}"` : ''}>${label}</span>`;
}

/** A POST form with one button (CSRF: same-origin POST only, checked by the origin guard). */
export function actionButton(
  action: string,
  label: string,
  options: { danger?: boolean; field?: Html } = {},
): Html {
  return html`<form class="inline" method="post" action="${action}">${options.field ?? ''}<button type="submit"${
    options.danger ? html` class="danger"` : ''
  }>${label}</button></form>`;
}
