import { captureCargo } from './process';

/**
 * Brings Cargo.lock in `dir` (a Cargo workspace root) up to date with the
 * workspace members' manifests: `cargo update --workspace --offline` rewrites
 * the members' own entries only, and needs no registry. One line on failure.
 */
export async function refreshWorkspaceLockfile(dir: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const r = await captureCargo(['update', '--workspace', '--offline'], { cwd: dir });
  if (r.ok) return { ok: true };
  if (r.missing) return { ok: false, message: r.message };
  const why = r.stderr.split('\n').find((l) => /^error/.test(l.trim())) ?? r.stderr.trim().split('\n')[0] ?? r.message;
  return { ok: false, message: `cargo update --workspace --offline failed in ${dir}: ${why.trim()}` };
}
