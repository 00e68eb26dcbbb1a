export { createChromiumPrinter, defaultChromiumPath } from './chromium-printer.ts';
export { escapeHtml, printableHtml } from './printable.ts';
export type { DocumentPrinter } from './printer.ts';
