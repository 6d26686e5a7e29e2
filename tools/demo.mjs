#!/usr/bin/env node
// The main job on the bundled example: set up if needed, let Nx infer the
// crates, build `heavy` through Nx with real cargo, build it again from the Nx
// cache, run the `app` binary, and print each command before it runs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(repo, 'examples', 'mixed-workspace');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${[cmd, ...args].join(' ')}${opts.cwd && opts.cwd !== repo ? `   (in ${opts.cwd.slice(repo.length + 1)})` : ''}`);
  const r = spawnSync(cmd, args, { cwd: repo, stdio: 'inherit', env, ...opts });
  if (r.status !== 0) {
    console.error(`\ndemo: \`${[cmd, ...args].join(' ')}\` failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

const nx = (...args) => run('npx', ['nx', ...args], { cwd: example });

run(process.execPath, [join(repo, 'tools', 'setup.mjs')]);
nx('show', 'projects');
nx('graph', '--file=tmp/graph.json');
const graph = JSON.parse(readFileSync(join(example, 'tmp', 'graph.json'), 'utf8')).graph;
console.log('\nEdges Nx inferred:');
for (const [source, deps] of Object.entries(graph.dependencies)) {
  for (const d of deps) console.log(`  ${source} -> ${d.target}`);
}
nx('build', 'heavy');
nx('build', 'heavy'); // the second time from the Nx cache
nx('run', 'app:run');
// Both Cargo workspaces (the root one and tools/) at once, inside one shared jobserver.
nx('run-many', '-t', 'check');
console.log('\ndemo: done. The example lives in examples/mixed-workspace; cargo wrote its target/ there.');
