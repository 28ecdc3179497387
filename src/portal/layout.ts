// The frame of every page of the online business hall: a phone-first layout, the navigation when
// signed in, the language switch, the one-shot notice, and the helpers pages share (forms with
// their CSRF token, amounts, charts). Markup only through src/web/html.ts: every value is escaped.
// No inline script or style anywhere: the CSP (src/web/security.ts) would refuse it.

import { html, type Html, type HtmlValue } from '../web/html.ts';
import { t, type Lang, type MessageKey } from './messages.ts';
import type { Notice } from './portal-sessions.ts';

export interface PageContext {
  readonly lang: Lang;
  /** The path of the page, for the language switch to come back to. */
  readonly path: string;
  /** The CSRF token of the visitor (signed in or not): every form carries it. */
  readonly csrf: string;
  readonly signedIn?: { readonly customerNo: string; readonly customerName: string };
  readonly notice?: Notice;
}

const NAV: ReadonlyArray<readonly [string, MessageKey]> = [
  ['/home', 'navHome'], ['/bills', 'navBills'], ['/pay', 'navPay'], ['/estimate', 'navEstimate'], ['/profile', 'navProfile'],
];

/** `<form method="post">` carrying the CSRF token. */
export function postForm(ctx: PageContext, action: string, body: HtmlValue, options: { readonly id?: string; readonly className?: string } = {}): Html {
  const id = options.id === undefined ? '' : html` id="${options.id}"`;
  return html`<form method="post" action="${action}" class="${options.className ?? 'form'}"${id}><input type="hidden" name="_csrf" value="${ctx.csrf}">${body}</form>`;
}

export function noticeBox(notice: Notice | undefined): Html {
  if (notice === undefined) return html``;
  return html`<p class="notice notice-${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}">${notice.text}</p>`;
}

/** An amount in yuan as the core wrote it (a decimal string, never a float), with the currency sign. */
export function yuan(amount: string | undefined): string {
  return amount === undefined ? '—' : `¥${amount}`;
}

/**
 * A bar chart drawn by /assets/portal.js with chart.js from the data attributes, and the same
 * figures as a table for screen readers, for printing and for a browser without script.
 */
export function barChart(id: string, title: string, labels: readonly string[], values: readonly string[], headers: readonly [string, string]): Html {
  return html`<figure class="chart-box"><figcaption>${title}</figcaption>
<div class="chart-wrap"><canvas id="${id}" class="chart" role="img" aria-label="${title}" data-label="${title}" data-labels="${JSON.stringify(labels)}" data-values="${JSON.stringify(values)}"></canvas></div>
<details><summary>${headers[0]} / ${headers[1]}</summary><table class="data"><thead><tr><th>${headers[0]}</th><th>${headers[1]}</th></tr></thead>
<tbody>${labels.map((label, i) => html`<tr><td>${label}</td><td class="num">${values[i] ?? ''}</td></tr>`)}</tbody></table></details></figure>`;
}

function header(ctx: PageContext): Html {
  const other: Lang = ctx.lang === 'zh-CN' ? 'en' : 'zh-CN';
  const switchHref = `/lang?to=${other}&back=${encodeURIComponent(ctx.path)}`;
  const nav = ctx.signedIn === undefined ? html`` : html`<nav class="nav" aria-label="${t(ctx.lang, 'appName')}">${NAV.map(([href, key]) =>
    html`<a href="${href}"${ctx.path.startsWith(href) ? html` aria-current="page"` : ''}>${t(ctx.lang, key)}</a>`)}</nav>`;
  const logout = ctx.signedIn === undefined ? html``
    : postForm(ctx, '/logout', html`<button type="submit" class="link-button">${t(ctx.lang, 'logout')}</button>`, { className: 'logout' });
  return html`<header class="top"><div class="brand"><span class="logo" aria-hidden="true">⚡</span><a href="/">${t(ctx.lang, 'appName')}</a></div>
<div class="tools"><a href="${switchHref}" lang="${other}" hreflang="${other}" id="lang-switch">${t(ctx.lang, 'switchLang')}</a>${logout}</div>${nav}</header>`;
}

export function page(ctx: PageContext, title: string, body: HtmlValue): Html {
  return html`<!doctype html>
<html lang="${ctx.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t(ctx.lang, 'appName')}</title><link rel="stylesheet" href="/assets/portal.css">
<script src="/assets/chart.umd.js" defer></script><script src="/assets/portal.js" defer></script></head>
<body>${header(ctx)}<main class="main"><h1>${title}</h1>${noticeBox(ctx.notice)}${body}</main>
<footer class="foot">${t(ctx.lang, 'company')}</footer></body></html>
`;
}
