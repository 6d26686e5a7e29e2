import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { brokenManifestIn, runCargoMetadata, type CargoMetadata, type MetadataResult } from '../cargo/metadata';

/** A member cargo could not load, dropped from an otherwise readable workspace. */
export interface SkippedManifest {
  /** Relative to the Nx root, posix. */
  manifest: string;
  /** cargo's error in one line. */
  message: string;
}

export type WorkspaceResult =
  | { ok: true; metadata: CargoMetadata; skipped: SkippedManifest[] }
  | { ok: false; missingCargo: boolean; message: string };

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

/** Stand-in for a broken member: a valid package that exists only in the copy. */
function placeholder(index: number): string {
  return `[package]\nname = "fine-threads-skipped-${index}"\nversion = "0.0.0"\nedition = "2021"\n\n[lib]\npath = "fine-threads-skipped.rs"\n`;
}

/**
 * A copy of the workspace root made of symlinks, but where each broken
 * member's Cargo.toml is replaced by a placeholder. Cargo has no flag to skip a
 * member, and a path dependency on the broken crate makes its dependents fail
 * too; in the copy every other member loads as it would in place. Cargo does not
 * resolve symlinks when it walks up to the workspace root, so members find the
 * copy's root manifest (itself a link to the real one).
 */
function shadowWorkspace(realRoot: string, brokenDirs: readonly string[]): string {
  const shadow = realpathSync(mkdtempSync(join(tmpdir(), 'fine-threads-metadata-')));
  const realDirs = new Set<string>();
  for (const d of brokenDirs) for (let p = d; p !== '.'; p = dirname(p)) realDirs.add(p);
  const fill = (rel: string) => {
    const broken = brokenDirs.indexOf(rel);
    for (const entry of readdirSync(join(realRoot, rel))) {
      const r = rel === '.' ? entry : join(rel, entry);
      if (broken !== -1 && entry === 'Cargo.toml') continue;
      if (realDirs.has(r)) {
        mkdirSync(join(shadow, r));
        fill(r);
      } else {
        symlinkSync(join(realRoot, r), join(shadow, r));
      }
    }
    if (broken !== -1) {
      writeFileSync(join(shadow, rel, 'Cargo.toml'), placeholder(broken));
      writeFileSync(join(shadow, rel, 'fine-threads-skipped.rs'), '');
    }
  };
  fill('.');
  return shadow;
}

/** cargo's message about the copy, about the real workspace (relative paths first: they end in the absolute one). */
function unshadowMessage(text: string, shadow: string, realRoot: string, cwd: string): string {
  const relativeShadow = relative(cwd, shadow);
  const out = text.split(relativeShadow).join(relative(cwd, realRoot) || '.');
  return out.split(shadow).join(realRoot);
}

/** cargo's JSON about the copy, about the real workspace (its paths are absolute). */
function unshadowJson(json: string, shadow: string, realRoot: string): string {
  const escaped = (s: string) => JSON.stringify(s).slice(1, -1);
  return json.split(escaped(shadow)).join(escaped(realRoot));
}

const MAX_SKIPPED = 64;

/**
 * `cargo metadata` for one manifest. When it is a workspace root and cargo
 * fails on a member's manifest, that member alone is dropped: the workspace is
 * read again from a copy where the member is a placeholder, as many times as
 * cargo finds another broken member. Anything else (the root manifest itself,
 * a missing file, a member outside the root) fails the whole workspace.
 */
export async function readWorkspace(manifest: string, nxRoot: string, isWorkspaceRoot: boolean): Promise<WorkspaceResult> {
  const first = await runCargoMetadata(manifest, nxRoot);
  if (first.ok) return { ok: true, metadata: first.metadata, skipped: [] };
  const whole = { ok: false as const, missingCargo: first.missingCargo, message: first.message };
  if (first.missingCargo || !isWorkspaceRoot) return whole;

  const realRoot = dirname(manifest);
  const brokenDirs: string[] = [];
  const skipped: SkippedManifest[] = [];
  let failure: MetadataResult = first;
  let shadow: string | undefined;
  try {
    while (!failure.ok && skipped.length < MAX_SKIPPED) {
      let broken = brokenManifestIn(failure.stderr, nxRoot);
      if (broken && shadow && (broken === shadow || broken.startsWith(shadow + sep))) {
        broken = join(realRoot, relative(shadow, broken));
      }
      const dir = broken && relative(realRoot, dirname(broken));
      if (!broken || !dir || dir.startsWith('..') || brokenDirs.includes(dir) || !existsSync(broken)) return whole;
      brokenDirs.push(dir);
      skipped.push({
        manifest: toPosix(relative(nxRoot, broken)),
        message: shadow ? unshadowMessage(failure.message, shadow, realRoot, nxRoot) : failure.message,
      });
      if (shadow) rmSync(shadow, { recursive: true, force: true });
      shadow = shadowWorkspace(realRoot, brokenDirs);
      const again = await runCargoMetadata(join(shadow, 'Cargo.toml'), nxRoot);
      if (again.ok) {
        const placeholders = new Set(brokenDirs.map((d) => join(shadow as string, d, 'Cargo.toml')));
        const kept = again.metadata.packages.filter((p) => !placeholders.has(p.manifest_path));
        const keptIds = new Set(kept.map((p) => p.id));
        const members = again.metadata.workspace_members.filter((id) => keptIds.has(id));
        const metadata: CargoMetadata = JSON.parse(
          unshadowJson(JSON.stringify({ ...again.metadata, packages: kept, workspace_members: members }), shadow, realRoot),
        );
        return { ok: true, metadata, skipped };
      }
      if (again.missingCargo) return { ok: false, missingCargo: true, message: again.message };
      failure = again;
    }
    return whole;
  } finally {
    if (shadow) rmSync(shadow, { recursive: true, force: true });
  }
}
