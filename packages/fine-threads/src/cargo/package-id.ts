/**
 * Name and version of a cargo package id, in each spelling cargo writes: the old
 * `name 1.0.0 (source)`, the spec forms `source#name@1.0.0` and `path+file:///x/name#1.0.0`
 * (the name left out when it is the source's last path segment), and a bare `name@1.0.0`.
 * The version is undefined where the id names none; undefined for text that is no package id.
 * One parser for cargo's JSON messages, its unit graph and its build-analysis log. Pure.
 */
export function parsePackageId(spec: string): { name: string; version?: string } | undefined {
  const old = /^(\S+) (\S+) \(.*\)$/.exec(spec);
  if (old) return { name: old[1], version: old[2] };
  const hash = spec.lastIndexOf('#');
  const fragment = hash < 0 ? spec : spec.slice(hash + 1);
  const at = fragment.lastIndexOf('@');
  if (at > 0) return { name: fragment.slice(0, at), version: fragment.slice(at + 1) };
  if (hash < 0) return undefined;
  if (!/^\d/.test(fragment)) return fragment ? { name: fragment } : undefined;
  // No name in the fragment: it is the last segment of the source's path (a git URL's without `.git`).
  const url = spec.slice(0, hash).replace(/[?].*$/, '').replace(/\/+$/, '');
  return { name: url.slice(url.lastIndexOf('/') + 1).replace(/\.git$/, ''), version: fragment };
}
