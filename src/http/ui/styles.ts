import { createHash } from 'node:crypto';

/**
 * The one stylesheet of the admin UI. Neutral greys, one accent colour, the system font stack; every
 * colour pair meets WCAG AA contrast. Kept as a string so it is served from memory with no file access.
 */
export const stylesheet = `
:root {
  --accent: #1d5bbf;
  --accent-strong: #15448f;
  --accent-soft: #e8effb;
  --text: #1c1f24;
  --muted: #5a6270;
  --line: #d9dde3;
  --line-strong: #b9bfc8;
  --surface: #ffffff;
  --canvas: #f5f6f8;
  --sidebar: #eef0f3;
  --danger: #b42318;
  --danger-soft: #fdecea;
  --success: #1e6b3a;
  --success-soft: #e7f4ec;
  --warning: #8a5300;
  --warning-soft: #fdf3e1;
  --radius: 8px;
  --focus: 0 0 0 3px #ffffff, 0 0 0 5px var(--accent);
  color-scheme: light;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif;
  font-size: 1rem;
  line-height: 1.55;
  color: var(--text);
  background: var(--canvas);
}
h1, h2, h3 { line-height: 1.25; margin: 0 0 0.75rem; }
h1 { font-size: 1.6rem; font-weight: 650; }
h2 { font-size: 1.15rem; font-weight: 650; margin-top: 2rem; }
h3 { font-size: 1rem; font-weight: 650; }
.subhead { margin-top: 1.5rem; }
p { margin: 0 0 1rem; }
a { color: var(--accent); text-underline-offset: 0.15em; }
a:hover { color: var(--accent-strong); }
code, .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
:focus-visible { outline: none; box-shadow: var(--focus); border-radius: 4px; }
.visually-hidden {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.skip-link {
  position: absolute; left: 1rem; top: -3rem; z-index: 10;
  background: var(--accent); color: #fff; padding: 0.5rem 1rem; border-radius: var(--radius);
  text-decoration: none; font-weight: 600;
}
.skip-link:focus { top: 1rem; color: #fff; }

/* Shell: a sidebar on wide screens, a top bar on narrow ones. */
.shell { display: grid; grid-template-columns: 15rem minmax(0, 1fr); min-height: 100vh; }
.sidebar { background: var(--sidebar); border-right: 1px solid var(--line); }
.sidebar-inner {
  padding: 1.25rem 0.75rem; display: flex; flex-direction: column; gap: 1.25rem;
  position: sticky; top: 0; height: 100vh; overflow-y: auto;
}
.brand {
  display: flex; align-items: center; gap: 0.5rem; padding: 0 0.5rem;
  font-weight: 700; font-size: 1.15rem; color: var(--text); text-decoration: none;
}
.brand-mark {
  display: inline-grid; place-items: center; width: 1.75rem; height: 1.75rem; border-radius: 6px;
  background: var(--accent); color: #fff; font-size: 0.95rem;
}
.nav-group + .nav-group { margin-top: 1rem; }
.nav-heading {
  font-size: 0.75rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.06em;
  color: var(--muted); margin: 0 0 0.35rem; padding: 0 0.5rem;
}
.nav-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
.nav-list a {
  display: block; padding: 0.4rem 0.6rem; border-radius: 6px; color: var(--text); text-decoration: none;
}
.nav-list a:hover { background: #e2e6eb; color: var(--text); }
.nav-list a[aria-current="page"] { background: var(--accent-soft); color: var(--accent-strong); font-weight: 600; box-shadow: inset 3px 0 0 var(--accent); }
.account { margin-top: auto; border-top: 1px solid var(--line); padding: 1rem 0.5rem 0; font-size: 0.9rem; }
.account-name { font-weight: 600; overflow-wrap: anywhere; }
.account-role { color: var(--muted); margin-bottom: 0.75rem; }
.content { padding: 2rem clamp(1rem, 4vw, 3rem) 4rem; max-width: 72rem; width: 100%; }
.content:focus { outline: none; box-shadow: none; }
.page-intro { color: var(--muted); max-width: 44rem; }

@media (max-width: 52rem) {
  .shell { grid-template-columns: minmax(0, 1fr); grid-template-rows: auto 1fr; }
  .sidebar { border-right: 0; border-bottom: 1px solid var(--line); }
  .sidebar-inner {
    position: static; height: auto; flex-direction: row; flex-wrap: wrap; align-items: center;
    gap: 0.5rem 1rem; padding: 0.6rem 0.75rem 0.35rem;
  }
  .sidebar nav { order: 3; flex-basis: 100%; overflow-x: auto; }
  .nav-group, .nav-group + .nav-group { display: contents; }
  .nav-heading { display: none; }
  .sidebar nav .nav-lists { display: flex; gap: 2px; width: max-content; padding-bottom: 0.25rem; }
  .nav-list { display: flex; gap: 2px; }
  .nav-list a { white-space: nowrap; padding: 0.35rem 0.6rem; }
  .nav-list a[aria-current="page"] { box-shadow: inset 0 -3px 0 var(--accent); }
  .account {
    margin: 0 0 0 auto; border: 0; padding: 0; display: flex; align-items: center; gap: 0.75rem;
  }
  .account-role { display: none; }
  .account-name { max-width: 11rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .content { padding-top: 1.5rem; }
}
@media (max-width: 30rem) {
  .account-name { display: none; }
}

/* Cards, panels and the log-in screens. */
.panel { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: 1.5rem; }
.panel + .panel { margin-top: 1.5rem; }
.panel > h2:first-child { margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 1rem; margin: 1rem 0 0; padding: 0; list-style: none; }
.card {
  display: block; height: 100%; background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius);
  padding: 1rem 1.1rem; color: var(--text); text-decoration: none;
}
a.card:hover { border-color: var(--accent); color: var(--text); }
.card-title { display: block; font-weight: 650; color: var(--accent-strong); margin-bottom: 0.25rem; }
.card-text { display: block; color: var(--muted); font-size: 0.92rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.4rem 1.5rem; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.auth-page { min-height: 100vh; display: grid; place-items: start center; padding: clamp(1.5rem, 8vh, 5rem) 1rem 3rem; }
.auth-box { width: 100%; max-width: 26rem; }
.auth-box.wide { max-width: 36rem; }
.auth-box .brand { justify-content: center; margin-bottom: 1.5rem; }
.auth-box .panel { padding: 1.75rem; }
.auth-box h1 { font-size: 1.35rem; }

/* Forms. */
.form { display: grid; gap: 1.1rem; max-width: 32rem; }
.form-wide { max-width: none; }
.form-row { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 1rem; align-items: start; }
.field { display: grid; gap: 0.3rem; }
.field label, .label { font-weight: 600; font-size: 0.95rem; }
.hint { color: var(--muted); font-size: 0.88rem; margin: 0; }
.role-help { display: block; }
.after-form { margin-top: 1rem; }
input[type="text"], input[type="email"], input[type="password"], input[type="number"], input[type="search"],
input[type="datetime-local"], select {
  font: inherit; color: inherit; width: 100%; padding: 0.55rem 0.7rem; background: var(--surface);
  border: 1px solid var(--line-strong); border-radius: 6px; min-height: 2.6rem;
}
input:focus-visible, select:focus-visible { border-color: var(--accent); }
input[aria-invalid="true"] { border-color: var(--danger); }
input[type="checkbox"], input[type="radio"] { width: 1.1rem; height: 1.1rem; accent-color: var(--accent); margin: 0; }
.field-error { color: var(--danger); font-size: 0.9rem; font-weight: 600; margin: 0; }
fieldset { border: 1px solid var(--line); border-radius: var(--radius); padding: 0.75rem 1rem 1rem; margin: 0; min-width: 0; }
legend { font-weight: 600; padding: 0 0.35rem; }
.check { display: inline-flex; align-items: center; gap: 0.45rem; cursor: pointer; }
.choice { display: grid; gap: 0.6rem; padding: 0.6rem 0; }
.choice + .choice { border-top: 1px solid var(--line); }
.choice > .check { font-weight: 600; }
.choice-fields { padding-left: 1.55rem; display: grid; gap: 0.6rem; }
.step-up input { max-width: 16rem; letter-spacing: 0.08em; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; }
.toolbar { margin: 0 0 1rem; }
.button {
  font: inherit; font-weight: 600; display: inline-flex; align-items: center; justify-content: center; gap: 0.4rem;
  min-height: 2.6rem; padding: 0.5rem 1.1rem; border-radius: 6px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; text-decoration: none;
}
.button:hover { background: var(--accent-strong); border-color: var(--accent-strong); color: #fff; }
.button.secondary { background: var(--surface); color: var(--text); border-color: var(--line-strong); }
.button.secondary:hover { background: #eceef1; color: var(--text); }
.button.danger { background: var(--surface); color: var(--danger); border-color: #e4a8a2; }
.button.danger:hover { background: var(--danger-soft); }
.button.small { min-height: 2rem; padding: 0.2rem 0.7rem; font-size: 0.9rem; }
.button.block { width: 100%; }
.link-button { font: inherit; background: none; border: 0; padding: 0; color: var(--accent); text-decoration: underline; cursor: pointer; }
.inline-form { display: inline; margin: 0; }

/* Messages. */
.alert { border-radius: var(--radius); padding: 0.85rem 1rem; margin: 0 0 1.25rem; border: 1px solid; }
.alert > :last-child { margin-bottom: 0; }
.alert-error { background: var(--danger-soft); border-color: #f1b8b2; color: #7a1a12; }
.alert-success { background: var(--success-soft); border-color: #a9d5b8; color: #164f2b; }
.alert-info { background: var(--accent-soft); border-color: #b8cdf0; color: #173a74; }
.alert-warning { background: var(--warning-soft); border-color: #ecc98a; color: #5e3a00; }
.alert-title { font-weight: 700; display: block; margin: 0 0 0.25rem; font-size: 1rem; }
.alert p + p, .alert p + .secret-box { margin-top: 0.5rem; }
.secret-box {
  display: block; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 1rem;
  background: var(--surface); border: 1px dashed var(--line-strong); border-radius: 6px;
  padding: 0.6rem 0.8rem; overflow-wrap: anywhere; user-select: all; margin: 0.5rem 0 0.75rem;
}
.codes { list-style: none; padding: 0; margin: 0.75rem 0 1rem; display: grid; grid-template-columns: repeat(2, max-content); gap: 0.35rem 2rem; }
.codes li { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 1.02rem; }
.qr { width: 12rem; height: 12rem; padding: 0.5rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
.qr svg { width: 100%; height: 100%; display: block; }
.enrol-grid { display: grid; grid-template-columns: max-content 1fr; gap: 1.5rem; align-items: start; margin-bottom: 1.25rem; }
@media (max-width: 34rem) { .enrol-grid { grid-template-columns: 1fr; } }

/* Tables. */
.table-wrap { overflow-x: auto; background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); }
table { border-collapse: collapse; width: 100%; font-size: 0.94rem; }
caption { text-align: left; padding: 0.75rem 1rem; font-weight: 600; color: var(--muted); caption-side: top; }
th, td { text-align: left; padding: 0.6rem 0.75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 0.82rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; background: #fafbfc; white-space: nowrap; }
tbody tr:last-child > * { border-bottom: 0; }
tbody th { font-weight: 600; }
td.actions-cell { text-align: right; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.break { overflow-wrap: anywhere; }
code.details { margin-top: 0.2rem; font-size: 0.8rem; }
td.target { min-width: 10rem; }
.cell-sub { display: block; color: var(--muted); font-size: 0.85rem; font-weight: 400; }
.table-wrap.fit { display: inline-block; max-width: 100%; }
.muted { color: var(--muted); }
.empty { color: var(--muted); padding: 1rem; margin: 0; }
.badge {
  display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600;
  background: #eceef1; color: #3c434e; white-space: nowrap;
}
.badge.ok { background: var(--success-soft); color: var(--success); }
.badge.bad { background: var(--danger-soft); color: var(--danger); }
.badge.warn { background: var(--warning-soft); color: var(--warning); }
.scopes { display: flex; flex-wrap: wrap; gap: 0.25rem; }
.scope-table { width: auto; }
.scope-table td, .scope-table th { padding: 0.3rem 1.25rem 0.3rem 0.75rem; }
.section-head { display: flex; flex-wrap: wrap; gap: 1rem; justify-content: space-between; align-items: baseline; }
.pager { margin-top: 1rem; }
textarea {
  font: inherit; color: inherit; width: 100%; padding: 0.55rem 0.7rem; background: var(--surface);
  border: 1px solid var(--line-strong); border-radius: 6px; min-height: 5rem; resize: vertical;
}
.markdown > :first-child { margin-top: 0; }
.markdown > :last-child { margin-bottom: 0; }
.markdown pre { overflow-x: auto; background: var(--canvas); padding: 0.5rem; border-radius: 6px; }
.timeline { list-style: none; padding: 0; margin: 0; }
.timeline > li { border-left: 3px solid var(--line-strong); padding: 0.25rem 0 0.75rem 0.9rem; }
.timeline > li.public { border-left-color: var(--accent); }
pre.notice { white-space: pre-wrap; background: var(--canvas); padding: 0.75rem; border-radius: 6px; font: inherit; }
`;

/** Changes whenever the stylesheet does, so it can be cached for good under a versioned URL. */
export const stylesheetVersion = createHash('sha256').update(stylesheet).digest('hex').slice(0, 12);
export const stylesheetPath = '/assets/roost.css';
