/** One sample of Prometheus' text exposition format (node_exporter's output). */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const linePattern = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the text format; lines that do not parse are skipped (a garbage answer yields no samples). */
export function parseExposition(text: string, wanted?: (name: string) => boolean): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = linePattern.exec(line);
    if (!match) continue;
    const name = match[1] as string;
    if (wanted && !wanted(name)) continue;
    const value = Number(match[3]);
    if (Number.isNaN(value)) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(labelPattern)) {
      labels[label[1] as string] = (label[2] as string).replace(/\\(.)/g, (_, c: string) =>
        c === 'n' ? '\n' : c,
      );
    }
    samples.push({ name, labels, value });
  }
  return samples;
}
