const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A complete HTML document for reading and printing: `title` is text, `body` is HTML the caller already
 * sanitised. The content security policy allows no script and no outside resource.
 */
export function printableHtml(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:760px;margin:2rem auto;color:#1b1f24}
h1{font-size:1.6rem;margin:0 0 1rem}h2{font-size:1.2rem;margin:1.6rem 0 .5rem;border-bottom:1px solid #d8dde3;padding-bottom:.2rem}
th{text-align:left;padding:.3rem 1.5rem .3rem 0;font-weight:600;vertical-align:top}td{padding:.3rem 0;vertical-align:top}
code,pre{font-family:ui-monospace,monospace;font-size:.92em}pre{white-space:pre-wrap;background:#f4f6f8;padding:.6rem}
.met{color:#1f7a43}.missed{color:#b42318}.draft{color:#b42318;font-weight:600}
@media print{body{margin:0;max-width:none}}
</style></head>
<body>
${body}
</body></html>
`;
}

export { escapeHtml };
