/**
 * `nx g fine-threads:tune`: records → simulator → thread table for this
 * machine profile, written where the threads option lives; the guard takes
 * back what did not pay; the HTML report shows why. With --dry-run Nx writes
 * nothing, and neither do we: the state and the report are written by the
 * returned callback, which Nx runs only for real.
 */
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { createProjectGraphAsync, formatFiles, readNxJson, type GeneratorCallback, type ProjectGraph, type Tree } from '@nx/devkit';
import { normalizePluginOptions, type FineThreadsPluginOptions } from '../../plugins/plugin-options';
import { PLUGIN_NAME } from '../../plugins/plugin-options';
import { calibrate, calibrationCandidates, calibrationCounts } from './calibrate';
import { readBuildRecords } from '../../recording/record-schema';
import { recordsPath } from '../../recording/store';
import { writeReport } from '../../report/write';
import { curveSamples, defaultCurve, fitCurve } from '../../simulation/fit';
import { joinUnitGraph } from '../../simulation/graph';
import type { SimGraph, SpeedupCurve } from '../../simulation/model';
import { simulate } from '../../simulation/simulate';
import { guard, type TuneState } from '../../tuning/guard';
import { reportData, tableKey } from '../../tuning/report-data';
import { rustcReleaseIn } from '../../cargo/toolchain';
import { curveRecords, fullBuilds, isLoaded, loadedNote, loadLimit, recordsFor, representativeUnits, TuneInputError } from '../../tuning/select';
import { median, relativeNoise } from '../../tuning/stats';
import { readStates, stateKey, statePath, writeStates } from '../../tuning/state';
import { predictAt, tune, type TuneBuild, type TuneInput } from '../../tuning/tuner';
import { loadUnitGraph } from '../../cargo/unit-graph';
import { applyChanges, tunedCrates, type Change, type Owner } from './thread-options';
import type { TuneGeneratorSchema } from './schema';

interface CargoMeta {
  package?: string;
  crateNames?: string[];
  manifestPath?: string;
  workspaceRoot?: string;
}

/** rustc's release in the workspace (a rust-toolchain file there applies), as records name it. */
function rustcRelease(cwd: string): string {
  try {
    return rustcReleaseIn(cwd);
  } catch (e) {
    throw new TuneInputError((e as Error).message);
  }
}

function cargoMeta(graph: ProjectGraph, project: string): CargoMeta | undefined {
  return (graph.nodes[project]?.data.metadata as { cargo?: CargoMeta } | undefined)?.cargo;
}

const fmt = (s: number) => s.toFixed(1);

export interface TuneRun {
  /** false: the report generator — analyse and report, change no option and no state. */
  writeTable: boolean;
}

export async function tuneGenerator(tree: Tree, options: TuneGeneratorSchema, run: TuneRun = { writeTable: true }): Promise<GeneratorCallback | undefined> {
  const root = tree.root;
  const mode = options.mode ?? 'build';
  const profile = options.profile ?? 'dev';
  const machineCores = availableParallelism();
  const cores = options.cores ?? machineCores;
  const file = recordsPath(root);
  const shown = relative(root, file);

  const { records, skipped, firstSkipped } = readBuildRecords(file);
  if (records.length === 0 && skipped > 0) {
    throw new TuneInputError(`${shown} holds ${skipped} line(s) and no readable record: it is corrupt or from another version (${firstSkipped}); nothing written`);
  }
  if (skipped > 0) console.warn(`fine-threads: ${shown}: ${skipped} unreadable line(s) skipped (first: ${firstSkipped}).`);
  const toolchain = rustcRelease(root);
  const want = { mode, profile, toolchain, cores: machineCores };
  let mine = recordsFor(records, want, shown);

  const projectGraph = await createProjectGraphAsync({ exitOnError: false });

  /** Builds the main recorded project again with `crates` at trial counts, so their curves are measured. */
  const calibrateCrates = (crates: Map<string, string>) => {
    const biggest = [...mine].filter((r) => !r.calibration).sort((a, b) => b.units.length - a.units.length)[0] ?? mine[0];
    const meta = cargoMeta(projectGraph, biggest.project);
    if (!meta?.workspaceRoot || crates.size === 0) {
      console.log('fine-threads: nothing to calibrate: every long front-end is already recorded threaded.');
      return;
    }
    const plugin = readNxJson(tree)?.plugins?.find((p) => typeof p === 'object' && p.plugin === PLUGIN_NAME);
    const targets = normalizePluginOptions(typeof plugin === 'object' ? (plugin.options as FineThreadsPluginOptions) : undefined);
    calibrate(
      {
        root,
        project: biggest.project,
        target: mode === 'check' ? targets.checkTargetName : targets.buildTargetName,
        cargoCwd: join(root, meta.workspaceRoot),
        crates,
        counts: calibrationCounts(machineCores),
        loadOfLast: () => {
          const last = readBuildRecords(file).records.at(-1);
          if (!last?.calibration || !isLoaded(last) || !last.load) return undefined;
          return `${(last.load.others + last.load.steal).toFixed(2)} cores busy elsewhere, limit ${loadLimit(last.cores).toFixed(2)}`;
        },
      },
      (line) => console.log(line),
    );
    mine = recordsFor(readBuildRecords(file).records, want, shown);
  };
  const calibrateMode = options.calibrate === 'auto' ? 'auto' : options.calibrate === true ? 'always' : 'never';
  if (calibrateMode === 'always') calibrateCrates(calibrationCandidates(mine));

  /** Records → curves, graphs, guard, tune. `say` prints (silent for auto calibration's first look). */
  const analyse = (say: (line: string) => void) => {
    // Curves: fitted where a crate was recorded at two or more thread counts; the mode's default elsewhere.
    const baseCurve = defaultCurve(mode);
    const curves: Record<string, SpeedupCurve> = {};
    // A build beside other work measures that work too: curves come from quiet records only.
    const { quiet, loadedCalibrations } = curveRecords(mine);
    if (loadedCalibrations > 0) say(`fine-threads: ${loadedCalibrations} calibration build(s) ran beside other work and are left out of the curves.`);
    for (const [crate, samples] of curveSamples(quiet)) {
      if (new Set(samples.map((s) => s.threads)).size >= 2) curves[crate] = fitCurve(samples, baseCurve);
    }

    for (const [crate, c] of Object.entries(curves)) {
      say(`fine-threads: ${crate}: curve fitted from records at several thread counts: parallel ${c.parallel.toFixed(2)}, overhead ${c.overhead.toFixed(2)}, plateau ${c.plateau}`);
    }

    // Whole builds are compared only as full builds of one fingerprint, unloaded, no calibration.
    const full = fullBuilds(mine);
    const loaded = loadedNote(full);
    if (loaded) say(loaded);
    const byConfig = new Map<string, number[]>();
    for (const r of full.builds) {
      const k = `${r.project}\u0000${tableKey(r.threads)}`;
      byConfig.set(k, [...(byConfig.get(k) ?? []), r.duration]);
    }
    // The noise of repeated runs of one configuration: savings below it could not be measured.
    const noise = relativeNoise([...byConfig.values()]);

    // One graph per recorded build root; each unit's durations are its medians over the records.
    const units = representativeUnits(mine);
    const builds: (TuneBuild & { project: string; measured?: number; runs: number; unitCount: number })[] = [];
    for (const project of [...new Set(mine.map((r) => r.project))].sort()) {
      const meta = cargoMeta(projectGraph, project);
      if (!meta?.package || !meta.workspaceRoot) {
        say(`fine-threads: records name project ${project}, which is not a crate of this workspace now; its records are left out.`);
        continue;
      }
      const unitGraph = loadUnitGraph({
        cwd: join(root, meta.workspaceRoot),
        manifestPath: meta.manifestPath ? join(root, meta.manifestPath) : undefined,
        packages: [meta.package],
        mode,
        profile,
      });
      const own = mine.filter((r) => r.project === project);
      const last = own[own.length - 1];
      const graph: SimGraph = joinUnitGraph(unitGraph, units, curves, baseCurve, { tokens: last.jobs ?? last.cores, cores: last.cores });
      // "Before": the median of the full builds without threads (never a calibration build).
      const baselineRuns = byConfig.get(`${project}\u0000`) ?? [];
      builds.push({
        label: project,
        project,
        graph,
        ...(baselineRuns.length ? { measured: median(baselineRuns) } : {}),
        runs: baselineRuns.length,
        unitCount: full.units.get(project) ?? Math.max(...own.map((r) => r.units.length)),
      });
    }
    if (builds.length === 0) throw new TuneInputError(`no record in ${shown} is of a crate of this workspace; nothing written`);
    // A build wholly inside another's adds nothing but weight: keep the covering one.
    const keysOf = (g: SimGraph) => new Set(g.units.map((u) => u.key));
    const sets = builds.map((b) => keysOf(b.graph));
    const roots = builds.filter((_, i) => !sets.some((o, j) => j !== i && o.size > sets[i].size && [...sets[i]].every((k) => o.has(k))));

    // A name in nx.json's table that the graph has in several versions threads them all.
    const versionsOf = new Map<string, Set<string>>();
    for (const b of roots) for (const u of b.graph.units) if (u.version && !u.kind.startsWith('build-script')) versionsOf.set(u.crate, (versionsOf.get(u.crate) ?? new Set()).add(u.version));
    const pluginEntry = readNxJson(tree)?.plugins?.find((p) => typeof p === 'object' && p.plugin === PLUGIN_NAME);
    const nxTable = (typeof pluginEntry === 'object' ? (pluginEntry.options as FineThreadsPluginOptions | undefined)?.frontendThreads : undefined) ?? {};
    for (const name of Object.keys(nxTable)) {
      const versions = [...(versionsOf.get(name.replace(/-/g, '_')) ?? [])].sort();
      if (!name.includes('@') && versions.length > 1) {
        say(`fine-threads: nx.json frontendThreads.${name} applies to every version of ${name} in the graph (${versions.join(', ')}); name one as ${name}@${versions[versions.length - 1]} to keep them apart (name@version wins over name).`);
      }
    }

    // The guard: what the last tune of this profile predicted, against what was recorded since.
    const states = readStates(statePath(root), say);
    const key = stateKey({ mode, profile, cores });
    const prior: TuneState | undefined = states[key];
    const verdict = prior && prior.toolchain === toolchain && cores === machineCores ? guard(prior, mine) : { revert: {}, notes: [] };
    const reverted = options.retry ? {} : { ...(prior?.reverted ?? {}), ...verdict.revert };

    const input: TuneInput = { builds: roots, cores, tokens: cores, curves, defaultCurve: baseCurve, exclude: reverted, ...(noise !== undefined ? { noise } : {}) };
    const result = tune(input);
    return { baseCurve, curves, roots, input, result, verdict, reverted, states, key, prior };
  };
  let analysis = analyse(calibrateMode === 'auto' ? () => {} : (line) => console.log(line));
  if (calibrateMode === 'auto') {
    const undecided = analysis.result.undecided;
    if (undecided.length > 0) {
      const packages = new Map(mine.flatMap((r) => r.units).filter((u) => undecided.includes(u.crate) || undecided.includes(`${u.crate}@${u.version}`)).map((u) => [u.crate, u.package]));
      console.log(`fine-threads: --calibrate=auto: the default curve cannot decide ${undecided.join(', ')}; calibrating.`);
      calibrateCrates(packages);
    } else {
      console.log('fine-threads: --calibrate=auto: no decision rests on the default curve; nothing calibrated.');
    }
    analysis = analyse((line) => console.log(line));
  }
  const { baseCurve, curves, roots, input, result, verdict, reverted, states, key, prior } = analysis;

  // Where each crate's option lives: its Nx project, or nx.json.
  const projects = Object.entries(projectGraph.nodes)
    .map(([name, node]) => ({ project: name, root: node.data.root, crates: cargoMeta(projectGraph, name)?.crateNames ?? [] }))
    .filter((p) => p.crates.length > 0);
  const ownerOf = (crate: string): Owner => {
    const p = projects.find((q) => q.crates.includes(crate));
    return p ? { kind: 'project', project: p.project, root: p.root } : { kind: 'nx.json' };
  };
  const before = tunedCrates(tree, projects, mode, cores);
  const changes: Change[] = [];
  for (const [crate, n] of Object.entries(result.table)) changes.push({ crate, owner: ownerOf(crate), threads: n });
  for (const crate of Object.keys(verdict.revert)) if (!(crate in result.table)) changes.push({ crate, owner: ownerOf(crate), threads: 1 });
  for (const [crate, owner] of before) if (!changes.some((c) => c.crate === crate) && !(crate in reverted)) changes.push({ crate, owner, threads: undefined });
  const applied = run.writeTable ? applyChanges(tree, changes, mode, cores) : [];

  console.log(`fine-threads: tuning ${mode} (${profile}) for ${cores} cores from ${mine.length} record(s) of rustc ${toolchain}${cores !== machineCores ? ` (predicted from this ${machineCores}-core machine's records)` : ''}`);
  // Where the bar a crate's saving must clear comes from: the noise of repeated builds where
  // there are some, else a floor that one build cannot tell apart from luck.
  const total = result.predicted.reduce((sum, p) => sum + p.baseline, 0);
  const basis =
    input.noise !== undefined
      ? `${(input.noise * 100).toFixed(1)} % run-to-run noise of the repeated full builds recorded`
      : 'no noise estimate yet (3 repeated full builds of one table make one): the floor';
  console.log(`  noise margin ${fmt(result.margin)} s, what a saving must beat: ${basis}; at least 2 % of the predicted ${fmt(total)} s and 0.25 s`);
  for (const line of verdict.notes) console.log(`  guard: ${line}`);
  for (const [crate, why] of Object.entries(verdict.revert)) console.log(`  guard: ${crate} set back to 1: ${why}`);
  for (const d of result.decisions) console.log(`  ${d.reason}`);
  for (const p of result.predicted) console.log(`  ${p.label}: predicted ${fmt(p.baseline)} s → ${fmt(p.tuned)} s`);
  const changed = applied.filter((a) => a.from !== a.to || a.skipped);
  if (run.writeTable && changed.length === 0) console.log('fine-threads: thread table unchanged.');
  for (const a of changed) {
    const show = (n: number | undefined) => (n === undefined ? 'unset' : String(n));
    console.log(a.skipped ? `  ${a.crate} (${a.where}): left at ${show(a.from)}, ${a.skipped}` : `  ${a.crate} (${a.where}): ${show(a.from)} → ${show(a.to)} at ${cores} cores`);
  }

  if (!options.skipFormat) await formatFiles(tree);

  const main = [...roots].sort((a, b) => b.graph.units.length - a.graph.units.length)[0];
  // An unchanged table keeps the guard's window open from the tune that set it.
  const same = prior !== undefined && tableKey(prior.table) === tableKey(result.table) && prior.toolchain === toolchain;
  const state: TuneState = {
    at: same ? prior.at : new Date().toISOString(),
    mode,
    profile,
    toolchain,
    cores,
    table: result.table,
    predicted: same ? prior.predicted : roots.map((b) => {
      const p = result.predicted.find((q) => q.label === b.label)!;
      return {
        project: b.project,
        baseline: p.baseline,
        tuned: p.tuned,
        ...(b.measured !== undefined ? { measured: b.measured, runs: b.runs } : {}),
        units: b.unitCount,
      };
    }),
    reverted,
  };
  const reportPath = join(root, options.report ?? '.fine-threads/report.html');
  const data = reportData({
    workspace: main.project,
    machine: { cores, toolchain, mode, profile },
    records: mine.filter((r) => r.project === main.project),
    tune: result,
    predict: (table) => simulate(main.graph, { tokens: cores, cores, threads: table, curves, defaultCurve: baseCurve }),
    reverts: Object.entries(verdict.revert).map(([crate, reason]) => ({ crate, from: prior?.table[crate] ?? 1, to: 1, reason })),
    revertsApplied: run.writeTable,
    predictions: [4, 8, 16, 64].map((c) => ({
      cores: c,
      baseline: predictAt({ ...input, builds: [main] }, {}, c)[0],
      tuned: predictAt({ ...input, builds: [main] }, tune({ ...input, builds: [main], cores: c, tokens: c }).table, c)[0],
    })),
    notes: [
      `Curves fitted for ${Object.keys(curves).length} crate(s) recorded at several thread counts; the others use the default curve.`,
      ...verdict.notes,
    ],
  });
  // The same headline as the report's: predicted vs predicted, measured vs measured.
  if (data.headline) for (const line of [data.headline.choice, data.headline.verdict, data.headline.error]) if (line) console.log(`  ${line}`);
  return () => {
    if (run.writeTable) writeStates(statePath(root), { ...states, [key]: state });
    writeReport(reportPath, data);
    console.log(`fine-threads: report written to ${relative(root, reportPath)}`);
  };
}

export default tuneGenerator;
