import { html } from 'hono/html';
import type { Markup } from './layout.ts';

export interface Point {
  at: number;
  value: number | null;
}

/** A polyline over `points` scaled into width × height; gaps (null) break the line. */
function paths(
  points: readonly Point[],
  width: number,
  height: number,
  from: number,
  to: number,
  max: number,
): string[] {
  const segments: string[] = [];
  let current: string[] = [];
  for (const point of points) {
    if (point.value === null) {
      if (current.length > 0) segments.push(current.join(' '));
      current = [];
      continue;
    }
    const x = ((point.at - from) / Math.max(1, to - from)) * width;
    const y = height - (point.value / Math.max(max, 1)) * (height - 2) - 1;
    current.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  }
  if (current.length > 0) segments.push(current.join(' '));
  return segments;
}

/** A small inline trend line for tables (no script, no external image). */
export function sparkline(points: readonly Point[], from: number, to: number, label: string): Markup {
  const max = Math.max(0, ...points.map((point) => point.value ?? 0));
  const lines = paths(points, 120, 24, from, to, max);
  return html`<svg class="sparkline" width="120" height="24" viewBox="0 0 120 24" role="img" aria-label="${label}">
  ${lines.map((line) => html`<polyline points="${line}" fill="none" stroke="currentColor" stroke-width="1.5"></polyline>`)}
</svg>`;
}

/** A response-time chart with its scale, for the monitor page. */
export function lineChart(
  points: readonly Point[],
  from: number,
  to: number,
  options: { label: string; unit: string },
): Markup {
  const width = 640;
  const height = 160;
  const max = Math.max(1, ...points.map((point) => point.value ?? 0));
  const lines = paths(points, width - 40, height - 20, from, to, max);
  return html`<svg class="chart" width="100%" viewBox="0 0 ${width} ${height}" role="img" aria-label="${options.label}">
  <g transform="translate(40,5)">
    <line x1="0" y1="${height - 20}" x2="${width - 40}" y2="${height - 20}" stroke="currentColor" stroke-opacity="0.3"></line>
    <text x="-4" y="8" text-anchor="end" font-size="10" fill="currentColor">${Math.round(max)} ${options.unit}</text>
    <text x="-4" y="${height - 20}" text-anchor="end" font-size="10" fill="currentColor">0</text>
    ${lines.map((line) => html`<polyline points="${line}" fill="none" stroke="currentColor" stroke-width="1.5"></polyline>`)}
  </g>
</svg>`;
}
