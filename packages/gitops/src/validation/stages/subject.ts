/** An object under validation (rendered or read as-is) and where it is written. */
import { posix } from 'node:path';
import { keyLineOf, ParsedYamlFile, parseYamlFile } from '../../model/yaml-io';
import { LoadedTree, objectsOf } from './1-load';
import { metadataOf } from '../../model/kubernetes';

export interface Subject {
  object: Record<string, unknown>;
  /** The file the object is written in (kustomize origin for rendered objects). */
  file: string;
  /** Its document in `file`, when known: gives field lines. */
  documentIndex?: number;
  /** The kustomization directory it was rendered from; undefined for plain manifests. */
  dir?: string;
  /** Reference scope: the environment in layout mode, '' for any tree. */
  scope: string;
  /** The environment whose policy applies, if any. */
  env?: string;
  /** The requested target it belongs to, when a stage knows better than the file's location. */
  target?: string;
  /**
   * Rendered only so that checks of other objects can see it (an environment
   * target's view of the component overlays it deploys: duplicates, chart
   * sources, `${VAR}`s); not itself checked. Its own checks belong to its component.
   */
  context?: boolean;
  /**
   * Set when Flux's post-build changed the object (post-build.ts): JSON pointers of the
   * values it substitutes from what cannot be read offline (a Secret); no stage judges
   * them. Such a subject is checked afresh, never from the memo.
   */
  opaque?: string[];
  /** Finds `documentIndex` on demand (context subjects: their files are parsed only when a finding needs a line). */
  locate?: () => number | undefined;
}

/** The Kubernetes objects of a file as written (not rendered), in one scope; kustomize's own Kustomization files are not objects. */
export function writtenSubjects(tree: LoadedTree, file: string, where: Pick<Subject, 'scope' | 'env' | 'target'>): Subject[] {
  const parsed = tree.file(file);
  if (!parsed) return [];
  return objectsOf(parsed)
    .filter((o) => !(o.object.kind === 'Kustomization' && String(o.object.apiVersion).startsWith('kustomize.config.k8s.io/')))
    .map((o) => ({ ...where, object: o.object, file, documentIndex: o.documentIndex }));
}

/** Rendered subjects per directory they were rendered from, in the order given. */
export function subjectsByDir(subjects: Subject[]): Map<string, Subject[]> {
  const out = new Map<string, Subject[]>();
  for (const s of subjects) {
    if (s.dir === undefined) continue;
    const list = out.get(s.dir);
    if (list) list.push(s);
    else out.set(s.dir, [s]);
  }
  return out;
}

/** Finds which document of a file an object came from (kind + name, else kind, else the first). */
export function locateDocument(tree: LoadedTree, file: string, o: Record<string, unknown>): number | undefined {
  const parsed = tree.file(file);
  if (!parsed) return undefined;
  const docs = parsed.documents.filter((d) => d.value && typeof d.value === 'object');
  const name = metadataOf(o).name;
  const same = (d: (typeof docs)[number]) => (d.value as Record<string, unknown>).kind === o.kind;
  const hit = docs.find((d) => same(d) && metadataOf(d.value as Record<string, unknown>).name === name) ?? docs.find(same) ?? docs[0];
  return hit?.index;
}

/** Line of a field of the subject in its file (the nearest written ancestor when the field is not written there). */
export function lineIn(tree: LoadedTree, s: Subject, path: (string | number)[]): number {
  const documentIndex = s.documentIndex ?? s.locate?.();
  const parsed = documentIndex === undefined ? undefined : tree.file(s.file);
  if (!parsed || documentIndex === undefined) return 1;
  return keyLineOf(parsed, documentIndex, path);
}

/** A folder of the repository as a path field writes it: `./apps/x/` → `apps/x`, the root ''. A path leaving the repository keeps its `..`. */
export function folderOf(path: string): string {
  const dir = posix.normalize(path.replace(/^\.\//, '') || '.').replace(/\/$/, '');
  return dir === '.' ? '' : dir;
}

/**
 * Where a field of the subject is written: in the patch of its kustomization
 * (or of one it includes, the outermost first, as kustomize applies them
 * last) that sets it, else in the subject's own file. So a typo an overlay's
 * patch brings in is reported at the patch's line, not at the base.
 */
export function placeIn(tree: LoadedTree, s: Subject, path: (string | number)[]): { file: string; line: number } {
  if (s.dir !== undefined && path.length > 0) {
    for (const dir of tree.closure(s.dir)) {
      const hit = patchSetting(tree, dir, s.object, path);
      if (hit) return hit;
    }
  }
  return { file: s.file, line: lineIn(tree, s, path) };
}

/**
 * The patch in `dir`'s kustomization that sets `path` of the object, if one
 * does: a patch file (strategic merge, or JSON 6902 operations on that path)
 * or an inline `patch:` (at its line inside the kustomization).
 */
function patchSetting(
  tree: LoadedTree,
  dir: string,
  object: Record<string, unknown>,
  path: (string | number)[],
): { file: string; line: number } | undefined {
  const info = tree.kustomization(dir);
  const parsed = info ? tree.file(info.file) : undefined;
  const raw = parsed?.documents[0]?.value as Record<string, unknown> | undefined;
  if (!info || !parsed || !raw || typeof raw !== 'object') return undefined;
  type Entry = { path?: unknown; patch?: unknown; target?: { kind?: unknown; name?: unknown } };
  const entries: [Entry, number | undefined][] = [
    ...(Array.isArray(raw.patches) ? (raw.patches as Entry[]) : []).map((p, i): [Entry, number] => [p, i]),
    ...(Array.isArray(raw.patchesStrategicMerge) ? raw.patchesStrategicMerge : []).map((p): [Entry, undefined] => [{ path: p }, undefined]),
  ];
  for (const [entry, index] of entries) {
    if (typeof entry?.patch === 'string' && index !== undefined) {
      const inline = parseYamlFile(info.file, entry.patch);
      const at = settingIn(inline, entry.target, object, path);
      if (at !== undefined) return { file: info.file, line: keyLineOf(parsed, 0, ['patches', index, 'patch']) + at };
      continue;
    }
    if (typeof entry?.path !== 'string') continue;
    const file = posix.normalize(posix.join(dir || '.', entry.path));
    const patch = tree.file(file);
    const line = patch ? settingIn(patch, entry.target, object, path) : undefined;
    if (line !== undefined) return { file, line };
  }
  return undefined;
}

/**
 * The line in a parsed patch that sets `path` of the object to the value it
 * has: a strategic-merge document holding that value there, or a JSON 6902
 * operation putting it there. A patch that only touches part of the value
 * (the mistake is a field missing from the merged object) does not count.
 */
function settingIn(
  parsed: ParsedYamlFile,
  target: { kind?: unknown; name?: unknown } | undefined,
  object: Record<string, unknown>,
  path: (string | number)[],
): number | undefined {
  const pointer = '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
  const rendered = JSON.stringify(valueAt(object, path));
  for (const d of parsed.documents) {
    const patch = d.value as unknown;
    if (Array.isArray(patch)) {
      if (!patchTargets({}, target, object)) continue;
      const op = patch.findIndex((o) => (o as { path?: unknown })?.path === pointer && JSON.stringify((o as { value?: unknown }).value) === rendered);
      if (op !== -1) return keyLineOf(parsed, d.index, [op, 'value']);
      continue;
    }
    if (!patch || typeof patch !== 'object' || !patchTargets(patch as Record<string, unknown>, target, object)) continue;
    if (JSON.stringify(valueAt(patch, path)) === rendered && rendered !== undefined) return keyLineOf(parsed, d.index, path);
  }
  return undefined;
}

/** Whether a strategic-merge patch applies to the object: the entry's target selector, else the patch's own kind and name. */
function patchTargets(
  patch: Record<string, unknown>,
  target: { kind?: unknown; name?: unknown } | undefined,
  object: Record<string, unknown>,
): boolean {
  const kind = typeof target?.kind === 'string' ? target.kind : patch.kind;
  const name = typeof target?.name === 'string' ? target.name : metadataOf(patch).name;
  const matches = (pattern: string, value: string | undefined) =>
    value !== undefined && (pattern === value || safeRegExp(`^(?:${pattern})$`)?.test(value) === true);
  return (kind === undefined || kind === object.kind) && (name === undefined || matches(name, metadataOf(object).name));
}

function safeRegExp(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

function valueAt(value: unknown, path: (string | number)[]): unknown {
  let v = value;
  for (const key of path) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/** `/spec/chart/0/x` → ['spec', 'chart', 0, 'x']. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export function dotted(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
