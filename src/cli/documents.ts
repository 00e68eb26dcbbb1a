import { writeFileSync } from 'node:fs';

/** A document as the API returns it (post-mortems, SLA reports). */
export interface DocumentBody {
  filename: string;
  contentType: string;
  encoding: 'utf8' | 'base64';
  content: string;
}

/** Writes a document from the API to a file, or to standard output. */
export function writeDocument(
  document: DocumentBody,
  file: string | undefined,
  info: (line: string) => void,
): void {
  const bytes = Buffer.from(document.content, document.encoding);
  if (file) {
    writeFileSync(file, bytes);
    info(`written to ${file}`);
  } else process.stdout.write(bytes);
}
