import { type Browser, chromium } from 'playwright-core';
import { RoostError } from '../core/errors.ts';
import type { DocumentPrinter } from './printer.ts';

/** Debian's Chromium (`apt-get install chromium`); playwright-core never downloads a browser. */
export const defaultChromiumPath = '/usr/bin/chromium';

// No GPU and nothing that calls home; no sandbox because Roost commonly runs as root in a container.
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The Chromium adapter of the DocumentPrinter port: one browser started on first use (a cold start takes
 * about 2 s) and kept until `close`; each document gets its own context with JavaScript off and every
 * network request refused, so a document can neither run script nor fetch anything.
 */
export function createChromiumPrinter(options: { executablePath?: string } = {}): DocumentPrinter {
  const executablePath = options.executablePath ?? defaultChromiumPath;
  let browser: Promise<Browser> | undefined;
  const open = () => {
    browser ??= chromium
      .launch({ executablePath, headless: true, args: chromiumArgs, timeout: 30_000 })
      .catch((error: unknown) => {
        browser = undefined;
        throw new RoostError(
          'unavailable',
          `cannot start Chromium at ${executablePath} to print a PDF: ${(error as Error).message.split('\n')[0]}`,
        );
      });
    return browser;
  };
  return {
    async print(html) {
      const context = await (await open()).newContext({ javaScriptEnabled: false });
      try {
        await context.route('**/*', (route) => route.abort());
        const page = await context.newPage();
        await page.setContent(html, { waitUntil: 'load', timeout: 30_000 });
        return await page.pdf({
          format: 'A4',
          printBackground: true,
          margin: { top: '18mm', bottom: '18mm', left: '16mm', right: '16mm' },
        });
      } finally {
        await context.close();
      }
    },
    async close() {
      const opened = browser;
      browser = undefined;
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}
