import { basename } from 'node:path';
import { parsePackageId } from './package-id';

/**
 * Reads the output of one cargo over several packages (stdout and stderr as
 * one stream, JSON messages among cargo's own lines) and tells each line's
 * package: rendered diagnostics by the message's `package_id`, status lines
 * (`Compiling x`), test binaries' output after their `Running` line, and the
 * packages cargo names as failed. Pure: it only sees lines.
 */

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** The package name in a cargo package id, in any of its spellings (see package-id.ts). */
export function packageNameOf(id: string): string {
  return parsePackageId(id)?.name ?? id.split(' ')[0];
}

interface CargoMessage {
  reason?: string;
  package_id?: string;
  executable?: string | null;
  message?: { level?: string; rendered?: string | null };
}

export class CargoOutput {
  /** Packages cargo or rustc reported as failed: compile errors, build scripts, test binaries. */
  readonly failed = new Set<string>();
  /** Whether cargo got as far as running test binaries or doctests. */
  testsRan = false;
  private readonly lines = new Map<string, string[]>();
  private readonly executables = new Map<string, string>();
  private current: string | undefined;

  /** `crateToPackage`: rustc crate names (as in `Doc-tests x`) to package names. */
  constructor(private readonly crateToPackage: ReadonlyMap<string, string> = new Map()) {}

  /** Takes one line; returns what to show live (cargo's own lines, rendered diagnostics), or undefined. */
  read(line: string): string | undefined {
    const plain = line.replace(ANSI, '');
    if (plain.startsWith('{"reason":')) {
      let msg: CargoMessage;
      try {
        msg = JSON.parse(line) as CargoMessage;
      } catch {
        return this.text(line, plain);
      }
      return this.message(msg);
    }
    return this.text(line, plain);
  }

  /** The lines of one package, in order. */
  outputOf(pkg: string): string[] {
    return this.lines.get(pkg) ?? [];
  }

  private add(pkg: string, text: string): void {
    const list = this.lines.get(pkg) ?? [];
    this.lines.set(pkg, list);
    list.push(text);
  }

  private message(msg: CargoMessage): string | undefined {
    const pkg = msg.package_id ? packageNameOf(msg.package_id) : undefined;
    if (msg.reason === 'compiler-artifact' && pkg && msg.executable) {
      this.executables.set(basename(msg.executable), pkg);
      return undefined;
    }
    if (msg.reason !== 'compiler-message' || !msg.message) return undefined;
    const rendered = (msg.message.rendered ?? '').replace(/\n+$/, '');
    if (pkg) {
      if (msg.message.level?.startsWith('error')) this.failed.add(pkg);
      if (rendered) this.add(pkg, rendered);
    }
    return rendered || undefined;
  }

  private crate(name: string): string {
    return this.crateToPackage.get(name) ?? name;
  }

  private text(line: string, plain: string): string {
    let m: RegExpExecArray | null;
    let owner: string | undefined;
    if ((m = /^\s*(?:Compiling|Checking|Documenting|Fresh|Scraping) (\S+) v\d/.exec(plain))) {
      owner = m[1];
      this.current = owner;
    } else if ((m = /^\s*Running .*\(([^()]+)\)\s*$/.exec(plain)) && !/^\s*Running `/.test(plain)) {
      const exe = basename(m[1].trim());
      owner = this.executables.get(exe) ?? this.crate(exe.replace(/-[0-9a-f]{8,}$/, ''));
      this.current = owner;
      this.testsRan = true;
    } else if ((m = /^\s*Doc-tests (\S+)/.exec(plain))) {
      owner = this.crate(m[1]);
      this.current = owner;
      this.testsRan = true;
    } else if ((m = /^error: could not (?:compile|document) `([^`]+)`/.exec(plain))) {
      owner = m[1];
      this.failed.add(owner);
      this.current = undefined;
    } else if ((m = /^error: failed to run custom build command for `(\S+) v/.exec(plain))) {
      // Its "Caused by" and the script's output follow.
      owner = m[1];
      this.failed.add(owner);
      this.current = owner;
    } else if ((m = /^error: (?:test|doctest|bench) failed, to rerun pass `-p (\S+)/.exec(plain))) {
      owner = m[1];
      this.failed.add(owner);
    } else if ((m = /^\s+`-p (\S+)[ `]/.exec(plain))) {
      // The list under "error: N targets failed:".
      owner = m[1];
      this.failed.add(owner);
    } else if ((m = /^warning: `([^`]+)` \(.*\) generated \d+ warnings?/.exec(plain))) {
      owner = m[1];
    } else if (/^\s*(Finished|Blocking|Timing report saved)\b|^(warning: build failed|error: \d+ targets? failed)/.test(plain)) {
      this.current = undefined;
    } else {
      owner = this.current;
    }
    if (owner) this.add(owner, line);
    return line;
  }
}
