/**
 * What validation keeps between `nx` runs, all in the content cache
 * (cache/content-cache.ts) under `node_modules/.cache/mlops-gitops/` of the
 * workspace, each a wrapper around a pure stage:
 *
 * - renders (stage 2): a directory's render, found by a hash of the kustomize
 *   version, the build flags, the directory and its own files, and used only
 *   while every directory of its include closure and every file it names
 *   elsewhere still hash as they did. A kustomization that could read
 *   anything else (remote resources, paths leaving the tree, helmCharts,
 *   generators and fields this module does not know) is rendered every time;
 * - schema verdicts (stage 4): an object's verdict under a hash of the object,
 *   the pointers a Flux post-build left unknowable, and the validator (schema
 *   package versions, user CRDs, and the code and rule data of this folder, so
 *   any change to the checking code or data/*.yaml is a new validator);
 * - the tree model (platform.yaml, component.yaml, environment.yaml parsed)
 *   under a hash of those files;
 * - the whole-tree layout checks (drift, deployability) of a set of
 *   targets: their findings, used while every answer the file reader gave them
 *   (file contents, kinds, listings) is still the same, and the code is.
 *
 * `MLOPS_GITOPS_RENDER_CACHE=off` turns it off; a path moves it. The CLI never uses it.
 */
import { readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { codeVersion, ContentStore, fileStore, folderStore, hashParts, memoise, Memoised } from '../cache/content-cache';
import type { TreeRoot } from '../model/layout';
import type { Component, Overlay } from '../model/component';
import { buildTreeModel, EnvironmentModel, SourceFile, TreeModel } from '../model/tree-model';
import { FileReader, givesSameAnswers, ReaderAnswers, recordingReader } from './file-reader';
import type { ParsedFiles } from './stages/7-drift';
import type { Finding } from './types';
import { SCHEMA_PACKAGES, SCHEMA_RUNTIME_PACKAGES } from './inputs';
import { LoadedTree } from './stages/1-load';
import { DirRender, KUSTOMIZE_FLAGS } from './stages/2-render';
import { findPackageDir } from './stages/3-identify';
import type { SchemaVerdict, VerdictInput } from './stages/4-schema';

/** Environment variable: `off` disables the cache; a path moves it. */
export const RENDER_CACHE_ENV = 'MLOPS_GITOPS_RENDER_CACHE';
/** Where the cache lives inside a workspace. */
export const CACHE_DIR = posix.join('node_modules', '.cache', 'mlops-gitops');
export const MAX_RENDERS = 20_000;
/** Bumped whenever what an entry holds changes shape. */
const FORMAT = {
  renders: 'mlops-gitops-render/3',
  verdicts: 'mlops-gitops-verdicts/1',
  model: 'mlops-gitops-model/4',
  layout: 'mlops-gitops-layout-checks/1',
};
/** Layout-check results kept: one per set of targets (a run, an affected run, a task alone …). */
const MAX_LAYOUT_RESULTS = 64;

/** The cache folder of a workspace run: none when the environment says `off`, else `<root>/<CACHE_DIR>` or the folder it names. */
export function cacheDirFor(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env[RENDER_CACHE_ENV]?.trim();
  if (setting && /^(off|false|0|no)$/i.test(setting)) return undefined;
  return setting ? resolve(workspaceRoot, setting) : join(workspaceRoot, CACHE_DIR);
}

/** A render as the cache keeps it: with what it read, checked before it is used again. */
export interface CachedRender extends DirRender {
  reads: { dirs: Record<string, string>; files: Record<string, string> };
}

/**
 * Stage 2 behind the cache: renders of unchanged directories come from
 * `folder` (kustomizeVersion: `kubectl version --client`, part of every key).
 */
export function cachedRenders(
  folder: string | undefined,
  kustomizeVersion: string,
  tree: LoadedTree,
  render: (dirs: string[]) => Promise<Map<string, DirRender>>,
): Memoised<string, DirRender> {
  const store =
    folder === undefined ? undefined : (folderStore<CachedRender>(join(folder, 'renders'), FORMAT.renders, MAX_RENDERS) as ContentStore<DirRender>);
  const version = `${kustomizeVersion} ${KUSTOMIZE_FLAGS.join(' ')}`;
  const reader = tree.reader;
  const digests = new Map<string, string>();
  const directoryDigest = (d: string) => digests.get(d) ?? digests.set(d, digestOfDirectory(reader, d)).get(d)!;
  return memoise<string, DirRender>(
    store,
    {
      key: (dir) => hashParts([version, dir, directoryDigest(dir)]),
      accept: (stored) => {
        const { reads } = stored as CachedRender;
        if (!reads || !Array.isArray(stored.objects) || !Array.isArray(stored.closure)) return false;
        return (
          Object.entries(reads.dirs).every(([d, digest]) => directoryDigest(d) === digest) &&
          Object.entries(reads.files).every(([f, digest]) => fileDigest(reader, f) === digest)
        );
      },
      keep: (dir, output) => {
        const read = output.status === 'rendered' ? whatRenderReads(tree, dir, directoryDigest) : undefined;
        return read ? ({ ...output, reads: read } satisfies CachedRender) : undefined;
      },
    },
    render,
  );
}

/** Stage 4 behind the cache: the verdicts of unchanged objects by the same validator come from `folder`. */
export function cachedVerdicts(
  folder: string | undefined,
  validator: () => string,
  check: (inputs: VerdictInput[]) => Promise<Map<VerdictInput, SchemaVerdict>>,
): Memoised<VerdictInput, SchemaVerdict> {
  const store = folder === undefined ? undefined : fileStore<SchemaVerdict>(join(folder, 'verdicts.json'), FORMAT.verdicts, 100_000);
  let version: string | undefined;
  return memoise(store, { key: ({ object, opaque }) => hashParts([(version ??= validator()), JSON.stringify(object), ...(opaque ?? [])]) }, check);
}

/** Layout-check findings as the cache keeps them: with every answer the reader gave while they were computed. */
interface CheckedLayout {
  findings: Finding[];
  answers: ReaderAnswers;
}

/**
 * The layout checks of `targets` behind the cache. They read the sources of truth and the derived
 * files of the whole tree (derive needs them all), which costs more than asking the disk the same
 * questions again: a run whose change left all of that alone gets the stored findings.
 */
export async function cachedLayoutChecks(
  folder: string | undefined,
  tree: ParsedFiles,
  targets: readonly string[],
  check: (tree: ParsedFiles) => Finding[],
): Promise<Finding[]> {
  if (folder === undefined) return check(tree);
  const store = folderStore<CheckedLayout>(join(folder, 'layout-checks'), FORMAT.layout, MAX_LAYOUT_RESULTS);
  const targetSet = JSON.stringify([...targets].sort());
  const checked = memoise<string, CheckedLayout>(
    store,
    {
      key: (set) => hashParts([layoutCodeVersion(), set]),
      accept: (stored) => Array.isArray(stored.findings) && !!stored.answers && givesSameAnswers(tree.reader, stored.answers),
    },
    async () => {
      const recording = recordingReader(tree.reader);
      const findings = check({
        reader: recording.reader,
        // A parsed file is its text parsed: noted as a read of it.
        file: (path) => (recording.reader.isFile(path) ? (recording.reader.read(path), tree.file(path)) : undefined),
      });
      return new Map([[targetSet, { findings, answers: recording.answers }]]);
    },
  );
  return (await checked([targetSet])).outputs.get(targetSet)!.findings;
}

/** The code that decides the layout checks: the model, derive, the manifests, validation and the packaged catalog. */
function layoutCodeVersion(): string {
  return codeVersion(['model', 'derive', 'manifests', 'validation', 'catalog'].map((d) => join(PACKAGE_DIR, d)));
}

const PACKAGE_DIR = resolve(__dirname, '..');

/**
 * A component as the cache keeps it: its overlays as entries (a Map does not
 * survive JSON), and its lazily read parts (getters) as the values they give.
 */
type StoredComponent = Omit<Component, 'overlays'> & { overlays: [string, Overlay][] };
type StoredModel = Omit<TreeModel, 'components' | 'environments'> & {
  components: [string, StoredComponent][];
  environments: [string, EnvironmentModel][];
};

/** The tree model of `sources`, from the cache when it holds the model of the same texts. */
export function cachedTreeModel(folder: string | undefined, sources: SourceFile[], root: TreeRoot): TreeModel {
  if (folder === undefined) return buildTreeModel(sources, root);
  const store = fileStore<StoredModel>(join(folder, 'tree-model.json'), FORMAT.model, 1);
  const key = hashParts([root.root, ...sources.flatMap((s) => [s.path, s.text])]);
  const stored = store.get(key);
  if (stored)
    return {
      ...stored,
      components: new Map(stored.components.map(([name, c]) => [name, { ...c, overlays: new Map(c.overlays) }])),
      environments: new Map(stored.environments),
    };
  const model = buildTreeModel(sources, root);
  store.set(key, {
    ...model,
    // Spread copies a getter's value: what is stored is data, read now, not later when the model may have grown.
    components: [...model.components].map(([name, c]) => [name, { ...c, overlays: [...c.overlays].map(([env, o]) => [env, { ...o }]) }]),
    environments: [...model.environments],
  });
  store.save();
  return model;
}

/**
 * What a schema verdict depends on besides the object: the schema packages'
 * versions, the user CRD files, and the code of this folder and of the model it reads objects
 * with (by content: a changed check is a new validator, with no list of files to keep up to date).
 */
export function validatorVersion(tree: LoadedTree, crdsDir: string | undefined): string {
  const parts: string[] = [codeVersion([__dirname, join(PACKAGE_DIR, 'model')])];
  for (const pkg of [...SCHEMA_PACKAGES, ...SCHEMA_RUNTIME_PACKAGES]) {
    const dir = findPackageDir(pkg);
    parts.push(
      pkg,
      dir
        ? String(
            (
              JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
                version?: string;
              }
            ).version,
          )
        : 'missing',
    );
  }
  if (crdsDir !== undefined && tree.reader.isDirectory(crdsDir)) for (const f of tree.reader.listFiles(crdsDir)) parts.push(f, tree.reader.read(f));
  return hashParts(parts);
}

/**
 * Kustomization fields whose file references the cache covers (through the
 * closure directories' files and the named files) or that read no file.
 */
const KNOWN_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'components',
  'bases',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'images',
  'replicas',
  'crds',
  'buildMetadata',
  'sortOptions',
]);

/**
 * The hashes of what a render read: each closure directory (every file below
 * it) and each file named outside those; undefined when the render may read
 * something else (see the module comment).
 */
function whatRenderReads(tree: LoadedTree, dir: string, directoryDigest: (dir: string) => string): CachedRender['reads'] | undefined {
  const closure = tree.closure(dir);
  const inClosure = (f: string) => closure.some((d) => d === '' || f.startsWith(d + '/'));
  const files: Record<string, string> = {};
  for (const d of closure) {
    const info = tree.kustomization(d);
    const raw = info ? tree.file(info.file)?.documents[0]?.value : undefined;
    if (!info || !raw || typeof raw !== 'object' || Object.keys(raw).some((k) => !KNOWN_FIELDS.has(k))) return undefined;
    if (info.remote.length || info.outside.length) return undefined;
    for (const f of info.files) if (!inClosure(f)) files[f] = fileDigest(tree.reader, f);
  }
  return {
    dirs: Object.fromEntries(closure.map((d) => [d, directoryDigest(d)])),
    files,
  };
}

/** Hash of every file below a directory (paths and contents). */
function digestOfDirectory(reader: FileReader, dir: string): string {
  return hashParts(reader.listFiles(dir).flatMap((f) => [f, readOrMissing(reader, f)]));
}

function fileDigest(reader: FileReader, file: string): string {
  return hashParts([readOrMissing(reader, file)]);
}

function readOrMissing(reader: FileReader, file: string): string {
  try {
    return reader.read(file);
  } catch {
    return '\0missing';
  }
}
