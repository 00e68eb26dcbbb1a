/** A JSON path step: an object key or an array index. */
export type JsonPathStep = string | number;

const stepPattern = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["([^"\\]*)"\])/;

/**
 * Parses the small JSON path subset monitors use: `$`, `.key`, `[0]`, `["odd key"]` (`$.checks.database.status`).
 * Returns null when the path is not in that subset, so validation can name the field.
 */
export function parseJsonPath(path: string): JsonPathStep[] | null {
  if (!path.startsWith('$')) return null;
  const steps: JsonPathStep[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = stepPattern.exec(rest);
    if (!match) return null;
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push(match[3] as string);
    rest = rest.slice(match[0].length);
  }
  return steps;
}

/** The value at the path, or undefined when any step is missing. */
export function readJsonPath(value: unknown, steps: readonly JsonPathStep[]): unknown {
  let current = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}
