import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Actor } from '../../auth/actor.ts';
import { visibleNav } from './nav.ts';
import { stylesheetPath, stylesheetVersion } from './styles.ts';

/** What `html` returns: escaped markup, possibly still resolving. */
export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * `referrer: same-origin` in the page itself: under `no-referrer` browsers send `Origin: null` with
 * same-origin form posts, which the same-origin check must refuse; this keeps the forms working whatever
 * the server's Referrer-Policy header says, and still tells other sites nothing.
 */
function document(title: string, bodyClass: string, body: Markup): Markup {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · Roost</title>
<link rel="stylesheet" href="${stylesheetPath}?v=${stylesheetVersion}">
<link rel="icon" href="data:,">
</head>
<body class="${bodyClass}">
${body}
</body>
</html>`;
}

const brand = html`<span class="brand-mark" aria-hidden="true">R</span><span>Roost</span>`;

export interface AppPage {
  title: string;
  actor: Actor;
  csrf: string | null;
  /** The nav item's path this page belongs to, marked `aria-current="page"`. */
  current: string;
  body: Markup;
}

/** A page of the logged-in admin UI: skip link, navigation by permission, the account box, main content. */
export function appPage(page: AppPage): Markup {
  const groups = visibleNav(page.actor);
  return document(
    page.title,
    'app',
    html`<a class="skip-link" href="#main">Skip to content</a>
<div class="shell">
  <header class="sidebar">
    <div class="sidebar-inner">
      <a class="brand" href="/">${brand}</a>
      <nav aria-label="Main">
        <div class="nav-lists">
        ${groups.map(
          (group, index) => html`<div class="nav-group">
          <p class="nav-heading" id="nav-group-${index}">${group.label}</p>
          <ul class="nav-list" aria-labelledby="nav-group-${index}">
            ${group.items.map(
              (item) =>
                html`<li><a href="${item.path}"${item.path === page.current ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
            )}
          </ul>
        </div>`,
        )}
        </div>
      </nav>
      <div class="account">
        <div>
          <div class="account-name">${page.actor.label}</div>
          <div class="account-role">${page.actor.role ?? ''}</div>
        </div>
        <form method="post" action="/logout" class="inline-form">
          ${csrfField(page.csrf)}
          <button type="submit" class="button secondary small">Log out</button>
        </form>
      </div>
    </div>
  </header>
  <main id="main" class="content" tabindex="-1">
    ${page.body}
  </main>
</div>`,
  );
}

/** The log-in, second-factor, enrolment and setup screens: one centred box, no navigation. */
export function authPage(page: { title: string; body: Markup; wide?: boolean }): Markup {
  return document(
    page.title,
    'auth',
    html`<a class="skip-link" href="#main">Skip to content</a>
<main id="main" class="auth-page" tabindex="-1">
  <div class="auth-box${page.wide ? ' wide' : ''}">
    <div class="brand">${brand}</div>
    <div class="panel">
      ${page.body}
    </div>
  </div>
</main>`,
  );
}

export function csrfField(csrf: string | null): Markup {
  return csrf ? html`<input type="hidden" name="_csrf" value="${csrf}">` : html``;
}
