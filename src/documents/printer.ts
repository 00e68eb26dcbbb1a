/**
 * The DocumentPrinter port: turns a complete, already sanitised HTML document into a PDF (post-mortems,
 * SLA reports). The Chromium adapter is the only implementation and the only file importing playwright-core.
 */
export interface DocumentPrinter {
  /** A4 PDF bytes of `html`; the document loads nothing from the network. */
  print(html: string): Promise<Buffer>;
  close?(): Promise<void>;
}
