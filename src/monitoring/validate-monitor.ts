import { z } from 'zod';
import { parseInput } from '../auth/input.ts';
import { type MonitorKind, type MonitorSettings, monitorFieldsSchema, settingsSchemas } from './records.ts';

export type MonitorDefinition = z.output<typeof monitorFieldsSchema> & { settings: MonitorSettings };
export type MonitorDefinitionInput = z.input<typeof monitorFieldsSchema>;

/** Checks the common fields, then the kind's settings; errors name the field (`settings.url: …`). */
export function validateMonitor(input: unknown): MonitorDefinition {
  const fields = parseInput(monitorFieldsSchema, input);
  const settings = parseSettings(fields.kind, fields.settings);
  return { ...fields, settings };
}

export function parseSettings(kind: MonitorKind, settings: unknown): MonitorSettings {
  const schema = z.object({ settings: settingsSchemas[kind] as z.ZodType<MonitorSettings> });
  return parseInput(schema, { settings }).settings;
}
