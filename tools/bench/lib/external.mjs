// The other benches, run as child processes: most write JSON to a file
// (--json <file>); run-many prints one JSON object on stdout (--json).
// A script that is missing is "not available".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchEnv } from './exec.mjs';
import { repo } from './workspaces.mjs';

const bench = (name) => join(repo, 'tools', 'bench', name);

/** `node tools/bench/<name> ...args --json <file>`: its own lines indented, its JSON returned. */
export function fileJsonBench(name, args, jsonFile, say) {
  if (!existsSync(bench(name))) return { notRun: `tools/bench/${name} does not exist yet` };
  rmSync(jsonFile, { force: true });
  const r = spawnSync(process.execPath, [bench(name), ...args, '--json', jsonFile], { cwd: repo, env: benchEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of (r.stdout ?? '').trim().split('\n')) if (line) say(`  ${line}`);
  if (r.status !== 0 || !existsSync(jsonFile)) return { notRun: `tools/bench/${name} failed (exit ${r.status ?? r.signal})` };
  return JSON.parse(readFileSync(jsonFile, 'utf8'));
}

/** `node tools/bench/<name> ...args --json`: JSON on stdout, its text on stderr (shown). */
export function stdoutJsonBench(name, args, say) {
  if (!existsSync(bench(name))) return { notRun: `tools/bench/${name} does not exist yet` };
  const r = spawnSync(process.execPath, [bench(name), ...args, '--json'], { cwd: repo, env: benchEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) return { notRun: `tools/bench/${name} --json failed (exit ${r.status ?? r.signal})` };
  const text = (r.stdout ?? '').trim();
  for (const candidate of [text, text.slice(text.search(/^[{[]/m))]) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next form
    }
  }
  say(`  tools/bench/${name} printed no JSON object`);
  return { notRun: `tools/bench/${name} --json printed no JSON` };
}
