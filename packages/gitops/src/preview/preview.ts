/**
 * preview: what a change between two commits does in each environment, offline.
 *
 *   read (both commits through git) → scope (the components a changed file touches, renames paired
 *   by their kept Helm release name) → render (their overlays with kustomize) → diff (objects,
 *   effective values, chart and version) → a Preview the reporters print.
 */
import { deployedIn } from '../derive/derive';
import { ENGINE_MODULES } from '../derive/engines';
import { readTreeModel } from '../derive/tree-view';
import type { EnvironmentSettings } from '../model/environment-settings';
import { environmentEntry, environmentFile, GITOPS_ROOT, KUSTOMIZATION_FILE, platformFile } from '../model/layout';
import type { TreeModel } from '../model/tree-model';
import type { Engine } from '../model/vocabulary';
import { canonical } from '../derive/reconcile';
import { diffObjects, diffValues, K8sObject } from './diff';
import { gitSnapshot, GitSnapshot } from './git-snapshot';
import { parseObjects, renderDirs } from './render';
import { overlayOf, Side, sideState, SideState } from './side';
import type { ComponentPreview, EnvironmentPreview, Preview, ValuesChange } from './types';

export interface PreviewRequest {
  /** The git work tree (any folder inside the repository). */
  cwd: string;
  base: string;
  head: string;
  /** Only this Nx project: a component (in every environment) or `env-<environment>` (that environment's own objects). */
  project?: string;
  kubectl?: string;
}

interface Commit {
  snapshot: GitSnapshot;
  model: TreeModel;
}

/** A component in one environment at the base and the head (one of them absent for an addition or removal). */
interface Pair {
  env: string;
  from?: Side;
  to?: Side;
}

export async function preview(request: PreviewRequest): Promise<Preview> {
  const base = readCommit(request.cwd, request.base);
  const head = readCommit(request.cwd, request.head);
  const changed = changedPaths(base.snapshot, head.snapshot);
  const envs = environmentOrder(base.model, head.model).filter((env) => inProject(request.project, env));
  const pairs = envs.flatMap((env) => pairsIn(env, base, head).filter((p) => touched(p, changed, base.model)));
  // A component project previews that component in every environment; an environment project its own objects.
  const wanted = pairs.filter((p) => !request.project || [p.from, p.to].some((s) => s?.component.name === request.project));
  const [before, after] = await Promise.all([
    renderSides(
      base,
      wanted.map((p) => p.from),
      request.kubectl,
    ),
    renderSides(
      head,
      wanted.map((p) => p.to),
      request.kubectl,
    ),
  ]);
  const environments: EnvironmentPreview[] = envs.map((env) => {
    const settings = (head.model.environments.get(env)?.resolved ?? base.model.environments.get(env)?.resolved)!;
    const components = wanted
      .filter((p) => p.env === env)
      .map((p) => componentPreview(p, p.from && before.get(p.from), p.to && after.get(p.to), head.model))
      .filter((c): c is ComponentPreview => c !== undefined);
    const objects = !request.project || request.project === `env-${env}` ? environmentObjects(env, base, head, changed, pairs) : [];
    return { name: env, engines: settings.engines, sync: settings.sync, components, objects };
  });
  return { base: request.base, head: request.head, ...(request.project ? { project: request.project } : {}), environments };
}

function readCommit(cwd: string, ref: string): Commit {
  const snapshot = gitSnapshot(cwd, ref, GITOPS_ROOT);
  return { snapshot, model: readTreeModel(snapshot) };
}

function inProject(project: string | undefined, env: string): boolean {
  return !project || !project.startsWith('env-') || project === `env-${env}`;
}

/** Files added, removed or edited between the commits (equal blob ids are equal contents). */
function changedPaths(a: GitSnapshot, b: GitSnapshot): Set<string> {
  const out = new Set<string>();
  for (const p of new Set([...a.paths(), ...b.paths()])) if (a.blob(p) !== b.blob(p)) out.add(p);
  return out;
}

/** Environments that resolve at either commit, each after the one it promotes from. */
function environmentOrder(base: TreeModel, head: TreeModel): string[] {
  const settings = (env: string) => head.environments.get(env)?.resolved ?? base.environments.get(env)?.resolved;
  const names = [...new Set([...base.environments.keys(), ...head.environments.keys()])].filter((e) => settings(e)).sort();
  const depth = (env: string, seen = new Set<string>()): number => {
    const from = settings(env)?.promotesFrom;
    if (!from || seen.has(env) || !names.includes(from)) return 0;
    seen.add(env);
    return 1 + depth(from, seen);
  };
  return names.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
}

function sidesIn(env: string, commit: Commit): Side[] {
  const settings = commit.model.environments.get(env)?.resolved;
  if (!settings || !commit.model.platform) return [];
  return deployedIn(commit.model, env).map((component) => ({ ...commit, env: settings, component }));
}

/** Same name; else a component gone and one new that keep the same Helm release: a rename. */
function pairsIn(env: string, base: Commit, head: Commit): Pair[] {
  const before = sidesIn(env, base);
  const after = sidesIn(env, head);
  const byName = new Map(after.map((s) => [s.component.name, s]));
  const pairs: Pair[] = [];
  const matched = new Set<Side>();
  for (const from of before) {
    const to = byName.get(from.component.name);
    if (to) matched.add(to);
    pairs.push({ env, from, to });
  }
  for (const pair of pairs.filter((p) => !p.to)) {
    const to = after.find(
      (s) => !matched.has(s) && s.component.releaseName === pair.from!.component.releaseName && s.component.kind === pair.from!.component.kind,
    );
    if (to) {
      pair.to = to;
      matched.add(to);
    }
  }
  for (const to of after) if (!matched.has(to)) pairs.push({ env, to });
  return pairs;
}

/** The files a pair's result depends on: its component folders, its engine entries, the settings and platform. */
function touched(pair: Pair, changed: Set<string>, base: TreeModel): boolean {
  if (!pair.from || !pair.to) return true;
  const env = pair.env;
  if (changed.has(platformFile(base.root)) || changed.has(environmentFile(env, base.root))) return true;
  const sides = [pair.from, pair.to];
  const dirs = sides.map((s) => `${s.component.dir}/`);
  const entries = new Set(sides.flatMap((s) => Object.values(ENGINE_MODULES).map((e) => e.entryFile(env, s.component.name))));
  for (const path of changed) if (entries.has(path) || dirs.some((d) => path.startsWith(d))) return true;
  return false;
}

/** Renders the overlays of the given sides at one commit (one temporary copy of the folders they need). */
async function renderSides(commit: Commit, sides: (Side | undefined)[], kubectl?: string): Promise<Map<Side, SideState>> {
  const present = sides.filter((s): s is Side => s !== undefined);
  const shared = commit.snapshot
    .children(GITOPS_ROOT)
    .filter((d) => !['components', 'clusters'].includes(d) && !commit.snapshot.isFile(`${GITOPS_ROOT}/${d}`));
  const needs = [...new Set([...present.map((s) => s.component.dir), ...shared.map((d) => `${GITOPS_ROOT}/${d}`)])];
  const dirs = [...new Set(present.map(overlayOf).filter((d) => commit.snapshot.isFile(`${d}/${KUSTOMIZATION_FILE}`)))];
  const renders = await renderDirs(commit.snapshot, dirs, needs, kubectl);
  return new Map(present.map((s) => [s, sideState(s, renders.get(overlayOf(s)))]));
}

function componentPreview(pair: Pair, before: SideState | undefined, after: SideState | undefined, head: TreeModel): ComponentPreview | undefined {
  const from = pair.from?.component;
  const to = pair.to?.component;
  const status = !from ? 'added' : !to ? 'removed' : from.name !== to.name ? 'renamed' : 'changed';
  const versionOf = (s?: Side) => s?.component.overlays.get(pair.env)?.version;
  const result: ComponentPreview = {
    name: (to ?? from)!.name,
    status,
    ...(status === 'renamed' ? { renamedFrom: from!.name } : {}),
    chart: { from: from?.chart?.name, to: to?.chart?.name },
    version: { from: versionOf(pair.from), to: versionOf(pair.to) },
    repository: (to ?? from)!.chart?.repository,
    values: valuesChanges(before, after),
    objects: diffObjects(before?.objects ?? [], after?.objects ?? []),
    notes: engineNotes(pair, status),
    errors: [
      before?.error && `${overlayOf(pair.from!)} at the base: ${before.error}`,
      after?.error && `${overlayOf(pair.to!)} at the head: ${after.error}`,
    ].filter((e): e is string => !!e),
  };
  const promotedFrom = pair.to?.env.promotesFrom;
  if (
    promotedFrom &&
    result.version.to !== result.version.from &&
    head.components.get(result.name)?.overlays.get(promotedFrom)?.version === result.version.to
  ) {
    result.promotedFrom = promotedFrom;
  }
  const same = status === 'changed' && result.chart.from === result.chart.to && result.version.from === result.version.to;
  if (same && result.values.every((v) => v.changes.length === 0) && result.objects.length === 0 && result.errors.length === 0) return undefined;
  return result;
}

/** One entry per distinct result: engines that merge to the same values share it. */
function valuesChanges(before: SideState | undefined, after: SideState | undefined): ValuesChange[] {
  const engines = [...new Set([...(before?.values.keys() ?? []), ...(after?.values.keys() ?? [])])];
  const out: ValuesChange[] = [];
  for (const engine of engines) {
    const a = before?.values.get(engine);
    const b = after?.values.get(engine);
    const changes = diffValues(a?.values ?? {}, b?.values ?? {});
    const { sources, unread } = (b ?? a)!;
    const merged = `${engine}: ${sources.join(', ') || 'nothing'}`;
    const same = out.find((o) => canonical(o.changes) === canonical(changes));
    if (same) {
      same.engines.push(engine);
      same.sources.push(merged);
      same.unread = [...new Set([...same.unread, ...unread])];
      continue;
    }
    out.push({ engines: [engine], sources: [merged], changes, unread });
  }
  return out;
}

/** What each engine does: prune or not on removal, a rename that must not uninstall, the manual gate. */
function engineNotes(pair: Pair, status: ComponentPreview['status']): string[] {
  const notes: string[] = [];
  const engines = (env: EnvironmentSettings): Engine[] => env.engines;
  if (status === 'removed') return engines(pair.from!.env).map((e) => ENGINE_MODULES[e].onRemove(pair.from!.component, pair.from!.env));
  const to = pair.to!;
  if (status === 'renamed') notes.push(...engines(to.env).map((e) => ENGINE_MODULES[e].onRename(pair.from!.component, to.component.name, to.env)));
  if (to.env.sync === 'manual')
    notes.push(...engines(to.env).map((e) => `manual sync needed: ${ENGINE_MODULES[e].manualGate(to.component.name, to.env)}`));
  return notes;
}

/** The environment's own objects that changed: namespaces, AppProjects, the root app (not the components' entries). */
function environmentObjects(env: string, base: Commit, head: Commit, changed: Set<string>, pairs: Pair[]) {
  const dir = `${environmentEntry(env, head.model.root)}/`;
  const entries = new Set(
    pairs.flatMap((p) => [p.from, p.to].flatMap((s) => (s ? Object.values(ENGINE_MODULES).map((e) => e.entryFile(env, s.component.name)) : []))),
  );
  const files = [...changed].filter(
    (p) => p.startsWith(dir) && p.endsWith('.yaml') && !entries.has(p) && p !== environmentFile(env, head.model.root),
  );
  const objectsOf = (c: Commit) => files.flatMap((f) => plainObjects(c.snapshot.read(f)));
  return diffObjects(objectsOf(base), objectsOf(head));
}

function plainObjects(text: string | null): K8sObject[] {
  if (text === null) return [];
  return parseObjects(text).filter((o) => !String(o.apiVersion).startsWith('kustomize.config.k8s.io/'));
}
