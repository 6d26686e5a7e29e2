import type { TimingReport } from '../recording/timings';

/** A unit's identity as both parses give it. */
export const identityOf = (u: TimingReport['units'][number]) => [u.package, u.version, u.crateName, u.kind, u.mode, u.description, u.features.join(',')].join(' | ');

/**
 * Where two readings of ONE build (its build-analysis log and its HTML report) disagree: units,
 * start, end and front-end beyond `tolerance` seconds (the HTML rounds to 0.01 s), total time,
 * and the header both have. Empty when they agree. A test helper; pure.
 */
export function sameBuildDifferences(fromLog: TimingReport, fromHtml: TimingReport, tolerance = 0.011): string[] {
  const out: string[] = [];
  const logIds = fromLog.units.map(identityOf).sort();
  const htmlIds = fromHtml.units.map(identityOf).sort();
  if (JSON.stringify(logIds) !== JSON.stringify(htmlIds)) out.push(`units: log ${JSON.stringify(logIds)} vs html ${JSON.stringify(htmlIds)}`);
  const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol;
  for (const u of fromLog.units) {
    const h = fromHtml.units.find((x) => identityOf(x) === identityOf(u));
    if (!h) continue;
    const at = identityOf(u);
    if (!near(u.start, h.start, tolerance)) out.push(`${at}: start ${u.start} vs ${h.start}`);
    // The HTML rounds start and duration each: its end is off by up to twice the rounding.
    if (!near(u.end, h.end, 2 * tolerance)) out.push(`${at}: end ${u.end} vs ${h.end}`);
    if ((u.frontend === undefined) !== (h.frontend === undefined)) out.push(`${at}: front-end ${u.frontend} vs ${h.frontend}`);
    else if (u.frontend !== undefined && !near(u.frontend, h.frontend!, 2 * tolerance)) out.push(`${at}: front-end ${u.frontend} vs ${h.frontend}`);
    const names = (s: typeof u.sections) => JSON.stringify(s?.map((x) => x.name) ?? []);
    if (names(u.sections) !== names(h.sections) && u.sections) out.push(`${at}: sections ${names(u.sections)} vs ${names(h.sections)}`);
  }
  if (!near(fromLog.duration, fromHtml.duration, 2 * tolerance)) out.push(`duration ${fromLog.duration} vs ${fromHtml.duration}`);
  for (const key of ['jobs', 'ncpu', 'profile', 'rustcVersion', 'host', 'targets', 'freshUnits', 'dirtyUnits'] as const) {
    if (JSON.stringify(fromLog[key]) !== JSON.stringify(fromHtml[key])) out.push(`${key}: ${JSON.stringify(fromLog[key])} vs ${JSON.stringify(fromHtml[key])}`);
  }
  return out;
}
