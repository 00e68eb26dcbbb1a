import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markdownToText, renderMarkdown } from './markdown.ts';

describe('renderMarkdown', () => {
  it('renders the usual Markdown', () => {
    const html = renderMarkdown('**Database** down\n\n- restarted `db`\n- [runbook](https://example.com/r)');
    assert.match(html, /<strong>Database<\/strong>/);
    assert.match(html, /<li>restarted <code>db<\/code><\/li>/);
    assert.match(html, /<a href="https:\/\/example.com\/r" rel="nofollow noopener noreferrer">runbook<\/a>/);
  });

  it('gives the same result for a text rendered again, also once the texts rendered since outgrow the memory', () => {
    const first = renderMarkdown('**first** <script>x</script>');
    const text = markdownToText('**first** <script>x</script>');
    assert.equal(renderMarkdown('**first** <script>x</script>'), first);
    // About 10 million characters of other texts: more than is kept, so the first is rendered anew.
    for (let index = 0; index < 1_000; index++) renderMarkdown(`${index} ${'word '.repeat(1_000)}`);
    assert.equal(renderMarkdown('**first** <script>x</script>'), first);
    assert.equal(markdownToText('**first** <script>x</script>'), text);
  });

  it('neutralises hostile HTML: scripts, event handlers, javascript: links, frames, styles', () => {
    const hostile = [
      '<script>alert(1)</script>',
      '<img src=x onerror="alert(2)">',
      '[click](javascript:alert(3))',
      '<iframe src="https://evil.example"></iframe>',
      '<a href="javascript:alert(4)">x</a>',
      '<style>body{display:none}</style>',
      '<svg onload=alert(5)>',
      '<p onclick="alert(6)">hi</p>',
    ].join('\n\n');
    const html = renderMarkdown(hostile);
    assert.doesNotMatch(html, /<script|<img|<iframe|<style|<svg|onerror=|onclick=|onload=|javascript:/i);
    assert.match(html, /&lt;script&gt;/);
  });

  it('gives plain text for feeds and mails', () => {
    assert.equal(markdownToText('**API** is <b>down</b> & slow'), 'API is down & slow');
  });
});
