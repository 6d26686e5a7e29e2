/**
 * The shape a build record must have to be read back. Records are written by this plugin, but
 * the file is the user's: hand edits, a merge of two branches' files or a half-written line
 * from a killed build must never reach the tuner as numbers it trusts. Fields added later
 * (version, mode, load, fingerprint, ...) are optional, so older records of the same version
 * still read; unknown fields are allowed, so a newer plugin's additions do not hide a record.
 */
import Ajv, { type ErrorObject } from 'ajv';
import type { BuildRecord } from './record';
import { RECORD_VERSION, readRecords, type ReadResult } from './store';

const seconds = { type: 'number', minimum: 0 } as const;
const text = { type: 'string', minLength: 1 } as const;
const count = { type: 'integer', minimum: 0 } as const;

const unit = {
  type: 'object',
  required: ['package', 'crate', 'kind', 'start', 'end', 'threads', 'concurrent'],
  properties: {
    package: text,
    version: { type: 'string' },
    crate: text,
    kind: text,
    mode: { type: 'string' },
    features: { type: 'string' },
    start: seconds,
    end: seconds,
    frontend: seconds,
    backend: seconds,
    threads: { type: 'integer', minimum: 0 },
    concurrent: seconds,
    fallback: { const: true },
  },
} as const;

export const buildRecordSchema = {
  type: 'object',
  required: ['v', 'at', 'project', 'cargoWorkspace', 'mode', 'profile', 'toolchain', 'cores', 'threads', 'success', 'duration', 'units', 'fallbacks'],
  properties: {
    v: { const: RECORD_VERSION },
    at: text,
    project: text,
    projects: { type: 'array', items: text },
    cargoWorkspace: { type: 'string' },
    mode: { enum: ['build', 'check'] },
    profile: text,
    target: { type: 'string' },
    toolchain: { type: 'string' },
    cores: { type: 'integer', minimum: 1 },
    jobs: { type: 'integer', minimum: 1 },
    threads: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
    success: { type: 'boolean' },
    duration: seconds,
    load: {
      type: 'object',
      required: ['others', 'steal'],
      properties: { others: seconds, steal: seconds },
    },
    fingerprint: { type: 'string' },
    calibration: { const: true },
    freshUnits: count,
    units: { type: 'array', items: unit },
    fallbacks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['crate', 'threads', 'exitCode'],
        properties: { crate: text, threads: count, exitCode: count },
      },
    },
  },
} as const;

let compiled: ReturnType<Ajv['compile']> | undefined;

function describe(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return 'not a build record';
  const where = e.instancePath || 'the record';
  const extra = e.keyword === 'enum' || e.keyword === 'const' ? ` (${JSON.stringify(e.params)})` : '';
  return `${where} ${e.message ?? 'is invalid'}${extra}`;
}

/** Why a parsed line is not a build record, or undefined when it is one. */
export function recordProblem(value: unknown): string | undefined {
  compiled ??= new Ajv({ allErrors: false, strict: true }).compile(buildRecordSchema);
  if (value && typeof value === 'object' && (value as { v?: unknown }).v !== RECORD_VERSION) {
    return `version ${JSON.stringify((value as { v?: unknown }).v)}, not ${RECORD_VERSION}`;
  }
  return compiled(value) ? undefined : describe(compiled.errors);
}

/** The build records of a file, each checked against the schema; the rest are counted, the first named. */
export function readBuildRecords(file: string): ReadResult<BuildRecord> {
  return readRecords<BuildRecord>(file, recordProblem);
}
