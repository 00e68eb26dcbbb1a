import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

// One parser of our own: no global `marked` options another module could change.
const parser = new Marked({ gfm: true, breaks: true, async: false });

/** Tags and attributes a logbook entry may use; everything else (scripts, styles, frames, events) goes. */
const policy: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    'del',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'hr',
    'a',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: { a: ['href', 'title'], th: ['align'], td: ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    // Links written by someone else leave without our referrer and open nothing with our window.
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
  },
};
policy.allowedAttributes = { ...policy.allowedAttributes, a: ['href', 'title', 'rel'] };

/**
 * Markdown written by people (incident fields, updates, maintenance notes) as HTML safe to put in a page or
 * a mail: rendered with marked, then cleaned with an allow-list, so hostile HTML comes out as text.
 */
export function renderMarkdown(markdown: string): string {
  return remembered(renderedHtml, markdown, () => {
    const rendered = parser.parse(markdown) as string;
    return sanitizeHtml(rendered, policy).trim();
  });
}

/**
 * The last results of a rendering, least recently used first, within a budget of characters. Rendering and
 * cleaning are pure but costly (a page, its history and its feeds render the same incident updates, and a
 * page changing every second during an outage renders them all again each time); a text is rendered once
 * while it stays in use.
 */
interface Memo {
  results: Map<string, string>;
  characters: number;
}
const memoBudget = 4_000_000;
const renderedHtml: Memo = { results: new Map(), characters: 0 };
const renderedText: Memo = { results: new Map(), characters: 0 };

function remembered(memo: Memo, input: string, render: () => string): string {
  const known = memo.results.get(input);
  if (known !== undefined) {
    memo.results.delete(input);
    memo.results.set(input, known);
    return known;
  }
  const result = render();
  const size = input.length + result.length;
  if (size > memoBudget / 100) return result;
  memo.results.set(input, result);
  memo.characters += size;
  for (const [oldest, output] of memo.results) {
    if (memo.characters <= memoBudget) break;
    memo.results.delete(oldest);
    memo.characters -= oldest.length + output.length;
  }
  return result;
}

/** The text of some Markdown without any markup, for feeds, mail subjects and plain-text parts. */
export function markdownToText(markdown: string): string {
  return remembered(renderedText, markdown, () => plainText(markdown));
}

function plainText(markdown: string): string {
  return sanitizeHtml(parser.parse(markdown) as string, { allowedTags: [], allowedAttributes: {} })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
