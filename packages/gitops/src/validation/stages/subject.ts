/** An object under validation (rendered or read as-is) and where it is written. */
import { posix } from 'node:path';
import { keyLineOf } from '../../model/yaml-io';
import { LoadedTree, objectsOf } from './1-load';

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

export function metadataOf(o: Record<string, unknown>): { name?: string; namespace?: string } {
  const m = (o.metadata ?? {}) as Record<string, unknown>;
  return { name: typeof m.name === 'string' ? m.name : undefined, namespace: typeof m.namespace === 'string' ? m.namespace : undefined };
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i === -1 ? '' : apiVersion.slice(0, i);
}

/** `Kind/namespace/name` (or `Kind/name` for cluster-scoped or namespace-less objects). */
export function resourceName(o: Record<string, unknown>): string {
  const { name, namespace } = metadataOf(o);
  return [o.kind, namespace, name ?? '?'].filter((x) => x !== undefined).join('/');
}

/** `namespace/name` or `name`, for messages that already say the kind. */
export function shortName(o: Record<string, unknown>): string {
  const { name, namespace } = metadataOf(o);
  return namespace ? `${namespace}/${name ?? '?'}` : name ?? '?';
}

/** Identity kustomize and the API server use: group, kind, namespace, name. */
export function resourceId(o: Record<string, unknown>): string {
  const { name, namespace } = metadataOf(o);
  return `${groupOf(String(o.apiVersion))}|${o.kind}|${namespace ?? ''}|${name ?? ''}`;
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
