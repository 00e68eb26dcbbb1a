import { html, raw } from 'hono/html';
import type { Markup } from './layout.ts';

export interface FieldOptions {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'number' | 'datetime-local' | 'search';
  value?: string | undefined;
  hint?: string;
  /** Shown under the field, tied to it with aria-describedby, and marks it aria-invalid. */
  error?: string | undefined;
  /** Ids of other elements describing the field (a form-level error). */
  describedBy?: string[];
  autocomplete?: string;
  required?: boolean;
  /** Extra attributes: trusted literals only (`inputmode="numeric" min="1"`), never user data. */
  attributes?: string;
}

export function fieldId(name: string): string {
  return `field-${name}`;
}

/** A labelled input with its hint and error tied to it for screen readers. */
export function field(options: FieldOptions): Markup {
  const id = fieldId(options.name);
  const hintId = options.hint ? `${id}-hint` : undefined;
  const errorId = options.error ? `${id}-error` : undefined;
  const described = [hintId, errorId, ...(options.describedBy ?? [])].filter((value) => value !== undefined);
  return html`<div class="field">
  <label for="${id}">${options.label}</label>
  ${options.hint ? html`<p class="hint" id="${hintId}">${options.hint}</p>` : ''}
  <input id="${id}" name="${options.name}" type="${options.type ?? 'text'}"${
    options.value !== undefined ? html` value="${options.value}"` : ''
  }${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''}${options.required ? raw(' required') : ''}${
    described.length > 0 ? html` aria-describedby="${described.join(' ')}"` : ''
  }${options.error || (options.describedBy?.length ?? 0) > 0 ? raw(' aria-invalid="true"') : ''}${
    options.attributes ? raw(` ${options.attributes}`) : ''
  }>
  ${options.error ? html`<p class="field-error" id="${errorId}">${options.error}</p>` : ''}
</div>`;
}

export type AlertKind = 'error' | 'success' | 'info' | 'warning';

/** A message box; errors are announced (`role="alert"`), the others politely (`role="status"`). */
export function alert(
  kind: AlertKind,
  body: Markup | string,
  options: { id?: string; title?: string } = {},
): Markup {
  const role = kind === 'error' ? 'alert' : 'status';
  return html`<div class="alert alert-${kind}" role="${role}"${options.id ? html` id="${options.id}"` : ''}>${
    options.title ? html`<strong class="alert-title">${options.title}</strong>` : ''
  }<p>${body}</p></div>`;
}

/** Seconds between reloads of a page that shows work under way (its `refresh` header). */
export const reloadSeconds = 3;

/**
 * What a page showing work under way says about following it: a page the browser reloads itself (a GET
 * sent with the `refresh` header) says so; a page answering a refused form does not reload.
 */
export function followProgress(path: string, reloading: boolean): Markup {
  return reloading
    ? html`This page reloads every ${reloadSeconds} seconds. <a href="${path}">Refresh now</a>`
    : html`<a href="${path}">Open this page again</a> to follow it.`;
}

/** The id forms use for their form-level error, so fields can point at it. */
export const formErrorId = 'form-error';

export function formError(message: string | undefined): Markup {
  return message ? alert('error', message, { id: formErrorId }) : html``;
}

const longFormats = new Map<string, Intl.DateTimeFormat>();
const compactFormats = new Map<string, Intl.DateTimeFormat>();

function formatter(
  cache: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, ...options });
    cache.set(timeZone, format);
  }
  return format;
}

/**
 * Times in the configured zone; `<time datetime>` keeps the exact instant. The long form names the zone
 * (`23 Nov 2026, 18:57 CET`); the compact one for tables (`2026-11-23 18:57:03`) leaves the zone to the
 * table's caption.
 */
export function formatTime(
  value: Date | null | undefined,
  timeZone: string,
  style: 'long' | 'compact' = 'long',
): Markup {
  if (!value) return html`<span class="muted">never</span>`;
  if (style === 'compact')
    return html`<time datetime="${value.toISOString()}">${compactTime(value, timeZone)}</time>`;
  const text = formatter(longFormats, timeZone, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(value);
  return html`<time datetime="${value.toISOString()}">${text}</time>`;
}

/** `2026-11-23 18:57:03` in the zone, as plain text (a `<select>` option cannot hold a `<time>`). */
export function compactTime(value: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    formatter(compactFormats, timeZone, {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(value)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** A size in KiB below one MiB, in MiB above. */
export function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A button in its own small form: every state change is a POST carrying the CSRF token. */
export function postButton(options: {
  action: string;
  csrf: string | null;
  label: string;
  /** Read by screen readers instead of the short label (`Revoke token deploy`). */
  accessibleLabel?: string;
  kind?: 'danger' | 'secondary' | 'primary';
  small?: boolean;
}): Markup {
  const classes = [
    'button',
    options.kind && options.kind !== 'primary' ? options.kind : '',
    options.small ? 'small' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return html`<form method="post" action="${options.action}" class="inline-form">
  ${options.csrf ? html`<input type="hidden" name="_csrf" value="${options.csrf}">` : ''}
  <button type="submit" class="${classes}"${
    options.accessibleLabel ? html` aria-label="${options.accessibleLabel}"` : ''
  }>${options.label}</button>
</form>`;
}
