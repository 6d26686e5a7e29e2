// Jest's globalSetup and globalTeardown: the suite must leave examples/ as it found it. Tests
// copy the example into temp workspaces; one that builds, tunes or records in the example itself
// would make the next run (or the demo) depend on what ran before. Every file counts here,
// ignored ones too (target/, .fine-threads/): a demo's output may be there, but the suite adds none.
const { readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const examples = join(__dirname, '..', '..', 'examples');

function snapshot() {
  const files = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      // node_modules may be a link into the repository's; what is behind it is not the example.
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path);
      else if (entry.isFile()) {
        const s = statSync(path);
        files.set(relative(examples, path), `${s.size} ${s.mtimeMs}`);
      }
    }
  };
  walk(examples);
  return files;
}

function changes(before, after) {
  const out = [];
  for (const [path, stamp] of after) {
    if (!before.has(path)) out.push(`added ${path}`);
    else if (before.get(path) !== stamp) out.push(`changed ${path}`);
  }
  for (const path of before.keys()) if (!after.has(path)) out.push(`removed ${path}`);
  return out.sort();
}

async function setup() {
  globalThis.__fineThreadsExample = snapshot();
}

async function teardown() {
  const before = globalThis.__fineThreadsExample;
  if (!before) return;
  const found = changes(before, snapshot());
  if (found.length > 0) {
    throw new Error(
      `the test suite wrote into examples/ (tests must work on copies): ${found.slice(0, 10).join(', ')}${found.length > 10 ? `, … (${found.length} in all)` : ''}`,
    );
  }
  console.log(`\nexamples/ unchanged by the suite (${before.size} files checked).`);
}

module.exports = { setup, teardown, snapshot, changes };
