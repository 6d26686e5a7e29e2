#!/usr/bin/env node
// Writes each executor's schema.json from src/executors/schemas.source.json, and
// a schema.d.ts beside every executor and generator schema.json
// (json-schema-to-typescript). `--check` writes nothing and fails when a file
// is out of date.
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'fine-threads');
const check = process.argv.includes('--check');
const stale = [];

function emit(path, text) {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === text) return;
  if (check) stale.push(path);
  else writeFileSync(path, text);
}

const source = JSON.parse(readFileSync(join(pkg, 'src/executors/schemas.source.json'), 'utf8'));
for (const [name, spec] of Object.entries(source.executors)) {
  const schema = {
    $schema: 'https://json-schema.org/draft-07/schema',
    version: 2,
    title: spec.title,
    description: spec.description,
    type: 'object',
    properties: { ...source.common, ...spec.properties },
    additionalProperties: false,
  };
  emit(join(pkg, 'src/executors', name, 'schema.json'), `${JSON.stringify(schema, null, 2)}\n`);
}

const dirs = ['executors', 'generators'].flatMap((kind) =>
  readdirSync(join(pkg, 'src', kind), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(pkg, 'src', kind, d.name)),
);
for (const dir of dirs) {
  const schemaPath = join(dir, 'schema.json');
  if (!existsSync(schemaPath)) continue;
  // In --check mode the schema.json may itself be stale; type the one on disk.
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const kind = dir.includes('/executors/') ? 'ExecutorSchema' : 'GeneratorSchema';
  const typeName = dir.split('/').pop().replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase()) + kind;
  const ts = await compile({ ...schema, title: typeName }, typeName, {
    bannerComment: '/* Generated from schema.json by tools/generate-schemas.mjs: do not edit. */',
    additionalProperties: false,
    style: { singleQuote: true },
  });
  emit(join(dir, 'schema.d.ts'), ts);
}

if (stale.length > 0) {
  console.error(`out of date (run npm run generate:schemas): ${stale.join(', ')}`);
  process.exit(1);
}
