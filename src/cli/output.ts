/** Writes command results: JSON with `--json`, otherwise aligned text for people. */
export interface Output {
  json: boolean;
  /** A machine-readable result (printed as JSON) with its human form. */
  result(data: unknown, human: () => string): void;
  /** A line for people only (progress, hints); goes to standard error so `--json` output stays clean. */
  info(line: string): void;
}

export function createOutput(
  json: boolean,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Output {
  return {
    json,
    result(data, human) {
      out.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
    },
    info(line) {
      err.write(`${line}\n`);
    },
  };
}

/** Left-aligned columns for a list of rows. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  '),
    )
    .join('\n');
}
