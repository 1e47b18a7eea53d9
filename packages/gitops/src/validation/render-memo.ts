/**
 * Memo of kustomize renders, so a run re-renders only what changed.
 *
 * An entry holds what one kustomization directory rendered to (objects with
 * the files they came from) and what that render read: the directories of
 * its include closure, each with a content hash of every file below it, and
 * the files it names outside those directories, each with its content hash.
 * An entry is found by a hash of the kustomize version (`kubectl version
 * --client`), the build flags, the directory and its own files; it is used
 * only when every directory and file it read still hashes the same. So a
 * change to a base invalidates every overlay that includes it, and a lookup
 * parses no YAML (an unchanged run reads files and hashes them, nothing more).
 *
 * A directory whose render could read something no hash covers (a remote
 * resource, a path leaving the tree, a kustomization field this module does
 * not know, such as helmCharts or generators) is never memoised.
 *
 * An entry also keeps the schema verdict of each object (stage 4, a pure
 * function of the object and the validator), under a hash of the schema
 * packages' versions, the user CRDs and the checking code: an unchanged object
 * is not schema-checked again, and its schema packages are not even loaded.
 *
 * Entries are JSON files in a cache folder (`node_modules/.cache/mlops-gitops/renders`
 * of the workspace), written to a temporary file and renamed, so concurrent
 * runs never read half an entry; an entry that does not parse is ignored (and
 * rendered again). The folder is pruned to the newest MAX_ENTRIES entries.
 * `MLOPS_GITOPS_RENDER_CACHE=off` turns the memo off; a path moves it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import type { FileReader } from './file-reader';
import { DEPRECATED_KUSTOMIZE_FIELDS, type LoadedTree } from './stages/1-load';
import type { SchemaVerdict } from './stages/4-schema';

/** One rendered object as the memo stores it. */
export interface MemoObject {
  object: Record<string, unknown>;
  file?: string;
  generatedBy?: string;
}

/** A memo hit: the objects, the include closure and the clean files (so callers need not parse them). */
export interface MemoHit {
  closure: string[];
  objects: MemoObject[];
  /** Files the render read that parsed without a YAML error when the entry was written (they have not changed since). */
  clean: string[];
  /** The schema verdict of each object, when stored by this validator version (see 4-schema.ts). */
  verdicts?: SchemaVerdict[];
  /** Every file the kustomizations of the closure read (resources, patches, generator files): not plain manifests. */
  covers: string[];
  /** Whether a kustomization of the closure uses a deprecated field (reading it again reports them). */
  deprecatedFields: boolean;
}

export interface RenderMemo {
  get(reader: FileReader, dir: string): MemoHit | undefined;
  /**
   * Stores a render (with the schema verdicts of its objects, when known;
   * `clean`: files known to parse cleanly besides those this run parsed);
   * does nothing when the directory cannot be memoised safely.
   */
  set(tree: LoadedTree, dir: string, objects: MemoObject[], verdicts?: SchemaVerdict[], clean?: readonly string[]): void;
  /** Removes the oldest entries beyond the bound. */
  prune(): void;
}

/** Environment variable: `off` disables the memo; a path moves it. */
export const RENDER_CACHE_ENV = 'MLOPS_GITOPS_RENDER_CACHE';
/** Where the memo lives inside a workspace. */
export const RENDER_CACHE_DIR = posix.join('node_modules', '.cache', 'mlops-gitops', 'renders');
export const MAX_ENTRIES = 20_000;
const MEMO_FORMAT = 'mlops-gitops-render-memo/2';

interface Entry {
  format: string;
  key: string;
  closure: string[];
  /** Closure directory → hash of every file below it. */
  dirs: Record<string, string>;
  /** Files named outside the closure directories → content hash. */
  files: Record<string, string>;
  /** Files of the above that parsed without a YAML error. */
  clean: string[];
  objects: MemoObject[];
  /** Schema verdicts of the objects, by the validator version that reached them. */
  verdicts?: { version: string; list: SchemaVerdict[] };
  /** Files the closure's kustomizations read. */
  covers: string[];
  deprecatedFields: boolean;
}

/**
 * Kustomization fields whose file references the memo covers (through the
 * closure directories' files and the named files) or that read no file.
 */
const KNOWN_FIELDS = new Set([
  'apiVersion', 'kind', 'metadata', 'resources', 'components', 'bases', 'patches', 'patchesStrategicMerge', 'patchesJson6902',
  'configMapGenerator', 'secretGenerator', 'generatorOptions', 'namespace', 'namePrefix', 'nameSuffix', 'commonLabels', 'labels',
  'commonAnnotations', 'images', 'replicas', 'crds', 'buildMetadata', 'sortOptions',
]);

/** The memo folder of a workspace run: none when the environment says `off`, else `<root>/<RENDER_CACHE_DIR>` or the folder it names. */
export function renderCacheDir(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env[RENDER_CACHE_ENV]?.trim();
  if (setting && /^(off|false|0|no)$/i.test(setting)) return undefined;
  return setting ? resolve(workspaceRoot, setting) : join(workspaceRoot, RENDER_CACHE_DIR);
}

/**
 * A memo in `folder` for renders by this kustomize (`version`: kubectl and
 * kustomize versions and the build flags); schema verdicts are kept for
 * `schemaVersion` (schema packages, user CRDs, the checking code).
 */
export function diskRenderMemo(folder: string, version: string, schemaVersion = '', maxEntries = MAX_ENTRIES): RenderMemo {
  const digests = new Map<string, string>();
  const digestOf = (reader: FileReader, dir: string) => {
    let d = digests.get(dir);
    if (d === undefined) digests.set(dir, (d = directoryDigest(reader, dir)));
    return d;
  };
  const keyOf = (reader: FileReader, dir: string) => sha256(`${MEMO_FORMAT}\0${version}\0${dir}\0${digestOf(reader, dir)}`);
  const entryPath = (key: string) => join(folder, `${key}.json`);
  let written = 0;
  return {
    get(reader, dir) {
      const key = keyOf(reader, dir);
      let entry: Entry;
      try {
        entry = JSON.parse(readFileSync(entryPath(key), 'utf8')) as Entry;
      } catch {
        return undefined; // missing or corrupted: render again
      }
      if (entry.format !== MEMO_FORMAT || entry.key !== key || !Array.isArray(entry.objects) || !Array.isArray(entry.closure) || !Array.isArray(entry.covers)) return undefined;
      for (const [d, digest] of Object.entries(entry.dirs ?? {})) if (digestOf(reader, d) !== digest) return undefined;
      for (const [f, digest] of Object.entries(entry.files ?? {})) if (fileDigest(reader, f) !== digest) return undefined;
      const verdicts = entry.verdicts?.version === schemaVersion && entry.verdicts.list?.length === entry.objects.length ? entry.verdicts.list : undefined;
      return { closure: entry.closure, objects: entry.objects, clean: Array.isArray(entry.clean) ? entry.clean : [], covers: entry.covers, deprecatedFields: entry.deprecatedFields === true, ...(verdicts ? { verdicts } : {}) };
    },
    set(tree, dir, objects, verdicts, clean = []) {
      const read = whatRenderReads(tree, dir);
      if (!read) return;
      const entry: Entry = {
        format: MEMO_FORMAT,
        key: keyOf(tree.reader, dir),
        closure: read.closure,
        covers: read.covers,
        deprecatedFields: read.deprecatedFields,
        dirs: Object.fromEntries(read.closure.map((d) => [d, digestOf(tree.reader, d)])),
        files: Object.fromEntries(read.files.map((f) => [f, fileDigest(tree.reader, f)])),
        clean: cleanFiles(tree, [...read.closure.flatMap((d) => tree.reader.listFiles(d)), ...read.files], clean),
        objects,
        ...(verdicts && verdicts.length === objects.length ? { verdicts: { version: schemaVersion, list: verdicts } } : {}),
      };
      try {
        mkdirSync(folder, { recursive: true });
        const temp = join(folder, `.${entry.key}.${process.pid}.${written++}.tmp`);
        writeFileSync(temp, JSON.stringify(entry));
        renameSync(temp, entryPath(entry.key));
      } catch {
        // A memo that cannot be written only costs speed.
      }
    },
    prune: () => pruneFolder(folder, maxEntries),
  };
}

/**
 * The include closure of a directory and the files it names outside those
 * directories; undefined when its render may read something else.
 */
function whatRenderReads(tree: LoadedTree, dir: string): { closure: string[]; files: string[]; covers: string[]; deprecatedFields: boolean } | undefined {
  const closure = tree.closure(dir);
  const inClosure = (f: string) => closure.some((d) => d === '' || f.startsWith(d + '/'));
  const files = new Set<string>();
  const covers = new Set<string>();
  let deprecatedFields = false;
  for (const d of closure) {
    const info = tree.kustomization(d);
    const raw = info ? tree.file(info.file)?.documents[0]?.value : undefined;
    if (!info || !raw || typeof raw !== 'object' || Object.keys(raw).some((k) => !KNOWN_FIELDS.has(k))) return undefined;
    const named = namedPaths(raw as Record<string, unknown>);
    if (named.some((e) => leavesTree(e, d))) return undefined;
    for (const f of info.files) covers.add(f);
    deprecatedFields ||= Object.keys(raw).some((k) => k in DEPRECATED_KUSTOMIZE_FIELDS);
    for (const f of [...info.files, ...named.map((e) => posix.normalize(posix.join(d || '.', e)))]) {
      if (!inClosure(f) && tree.reader.isFile(f)) files.add(f);
    }
  }
  return { closure, files: [...files].sort(), covers: [...covers].sort(), deprecatedFields };
}

/** The files that parsed cleanly in this run or are vouched for by an entry of the same content. */
function cleanFiles(tree: LoadedTree, files: string[], known: readonly string[]): string[] {
  const vouched = new Set(known);
  return files.filter((f) => tree.parsedCleanly(f) || vouched.has(f));
}

/** Hash of every file below a directory (paths and contents). */
function directoryDigest(reader: FileReader, dir: string): string {
  const hash = createHash('sha256');
  for (const f of reader.listFiles(dir)) hash.update(f).update('\0').update(readOrMissing(reader, f)).update('\0');
  return hash.digest('hex');
}

function fileDigest(reader: FileReader, file: string): string {
  return sha256(readOrMissing(reader, file));
}

function readOrMissing(reader: FileReader, file: string): string {
  try {
    return reader.read(file);
  } catch {
    return '\0missing';
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Every path or URL a kustomization names (resources, patches, generator files and env files). */
function namedPaths(raw: Record<string, unknown>): string[] {
  const entries: unknown[] = [];
  for (const key of ['resources', 'components', 'bases', 'crds', 'patchesStrategicMerge']) if (Array.isArray(raw[key])) entries.push(...raw[key]);
  for (const key of ['patches', 'patchesJson6902']) for (const p of Array.isArray(raw[key]) ? raw[key] : []) entries.push((p as { path?: unknown })?.path);
  for (const key of ['configMapGenerator', 'secretGenerator']) {
    for (const g of Array.isArray(raw[key]) ? (raw[key] as Record<string, unknown>[]) : []) {
      for (const f of Array.isArray(g?.files) ? g.files : []) entries.push(typeof f === 'string' && f.includes('=') ? f.slice(f.indexOf('=') + 1) : f);
      for (const f of Array.isArray(g?.envs) ? g.envs : []) entries.push(f);
      entries.push(g?.env);
    }
  }
  return entries.filter((e): e is string => typeof e === 'string');
}

/** A remote resource or a path leaving the tree: kustomize would read what no hash here covers. */
function leavesTree(entry: string, dir: string): boolean {
  if (/^[a-z]+:\/\//i.test(entry) || entry.startsWith('github.com/') || entry.startsWith('git@')) return true;
  return posix.normalize(posix.join(dir || '.', entry)).startsWith('..');
}

function pruneFolder(folder: string, maxEntries: number): void {
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => n.endsWith('.json'));
  } catch {
    return;
  }
  if (names.length <= maxEntries) return;
  const aged = names
    .map((n) => {
      try {
        return { n, t: statSync(join(folder, n)).mtimeMs };
      } catch {
        return { n, t: 0 };
      }
    })
    .sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, names.length - maxEntries)) {
    try {
      unlinkSync(join(folder, n));
    } catch {
      // removed by a concurrent run
    }
  }
}
