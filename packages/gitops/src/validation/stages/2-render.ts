/**
 * Stage 2, render: build kustomization directories with the real kustomize
 * (`kubectl kustomize`, embedded kustomize v5) and the flag Flux's
 * kustomize-controller builds with (`--load-restrictor=LoadRestrictionsNone`).
 * A pure function of the directories' files: caching is a wrapper around it
 * (render-cache.ts).
 *
 * Speed comes from doing less and batching the rest:
 * - a directory that another rendered directory includes is not rendered on
 *   its own (its content is rendered, and checked, inside the includer);
 * - directories whose include-closures are disjoint are rendered together by
 *   one kustomize process, through a temporary kustomization that lists them;
 *   kustomize's origin annotations say which file each object came from, and
 *   so which directory (closures in a batch are disjoint);
 * - a batch that fails is split in halves until each failure is attributed
 *   to one directory; batches run concurrently.
 *
 * A failure is reported where it is: at the innermost included kustomization
 * that fails on its own (a base missing a file is one finding at the base,
 * not one per overlay), on the line of the entry kustomize names, quoting
 * kustomize's whole message. A directory that names a remote resource is not
 * rendered: offline that cannot work, which is a warning, not a failure.
 *
 * Temporary files live in one directory under the OS temp dir, removed at the end.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, posix, relative, resolve, sep } from 'node:path';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { keyLineOf } from '../../model/yaml-io';
import { isK8sObject, KustomizationInfo, LoadedTree } from './1-load';
import { Finding } from '../types';

export const KUSTOMIZE_FLAGS = ['--load-restrictor=LoadRestrictionsNone'] as const;
const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';
/**
 * Go's collector at 4× its default target: kustomize is short-lived and
 * allocates a lot; measured ≈ 15 % less CPU per process (docs/performance.md).
 */
const KUSTOMIZE_ENV = { GOGC: process.env.GOGC ?? '400' };

export interface RenderedObject {
  object: Record<string, unknown>;
  /** The file the object was read from (kustomize origin), when known. */
  file?: string;
  /** For generated objects: the kustomization file that generated it. */
  generatedBy?: string;
}

/** What one directory rendered to. */
export interface DirRender {
  status: 'rendered' | 'failed' | 'skipped';
  /** The objects (rendered only). */
  objects: RenderedObject[];
  /** Its include closure, itself first. */
  closure: string[];
  /** Why it failed or was skipped, at the file holding the cause (a failure shared by several directories is given once). */
  findings: Finding[];
  /** Skipped: the remote resources it names, for the report's statistics. */
  remote?: string[];
}

export interface RenderOptions {
  kubectl: string;
  /** What `kubectlVersion(kubectl)` answered: with it known, the first kustomize processes start before this returns. */
  kustomize: { version: string } | { missing: string };
  concurrency: number;
  /** Directories that may share a kustomize process (e.g. one environment's overlays) share a key. */
  groupOf: (dir: string) => string;
  /** Counts kustomize processes. */
  onProcess?: () => void;
}

/**
 * Directories that need their own render: the requested ones not included by
 * another requested one. `closureOf` may answer from the render cache, so
 * unchanged kustomizations need not be parsed.
 */
export function dirsToRender(
  tree: LoadedTree,
  requested: string[],
  closureOf: (dir: string) => string[] = (d) => tree.closure(d),
  known: (dir: string) => boolean = () => false,
): string[] {
  const unique = [...new Set(requested)].filter((d) => known(d) || tree.kustomization(d)?.kind === 'Kustomization');
  const includedByOther = new Set<string>();
  for (const d of unique) for (const inc of closureOf(d).slice(1)) includedByOther.add(inc);
  return unique.filter((d) => !includedByOther.has(d)).sort();
}

/**
 * Batches of directories whose closures do not overlap, per group, cut into
 * pieces of at most `maxSize` so that a pool of kustomize processes ends
 * together instead of waiting for one big batch.
 */
export function planBatches(tree: LoadedTree, dirs: string[], groupOf: (dir: string) => string, maxSize = Infinity): string[][] {
  const batches: { group: string; dirs: string[]; covered: Set<string> }[] = [];
  const open = new Map<string, typeof batches>();
  for (const dir of dirs) {
    const closure = tree.closure(dir);
    const group = groupOf(dir);
    const candidates = open.get(group) ?? [];
    let batch = candidates.find((b) => closure.every((c) => !b.covered.has(c)));
    if (!batch) {
      batch = { group, dirs: [], covered: new Set() };
      batches.push(batch);
      open.set(group, [...candidates, batch]);
    }
    batch.dirs.push(dir);
    for (const c of closure) batch.covered.add(c);
  }
  return batches.flatMap((b) => evenPieces(b.dirs, maxSize));
}

function evenPieces<T>(items: T[], maxSize: number): T[][] {
  const pieces = Math.max(1, Math.ceil(items.length / maxSize));
  const size = Math.ceil(items.length / pieces);
  return Array.from({ length: pieces }, (_, i) => items.slice(i * size, (i + 1) * size)).filter((p) => p.length > 0);
}

/** Batch size that gives every kustomize process of the pool about three batches (fewer, larger ones for small runs). */
export function batchSizeFor(dirCount: number, concurrency: number): number {
  return Math.max(MIN_BATCH, Math.ceil(dirCount / (concurrency * 3)));
}

const MIN_BATCH = 25;

/** Renders each directory (see the module comment); the result has an entry for every one. */
export async function renderDirs(tree: LoadedTree, dirs: string[], options: RenderOptions): Promise<Map<string, DirRender>> {
  const out = new Map<string, DirRender>();
  if (dirs.length === 0) return out;
  const kubectl = options.kustomize;
  if ('missing' in kubectl) {
    const finding = kustomizeMissing(options.kubectl, kubectl.missing, tree.kustomization(dirs[0])?.file ?? dirs[0]);
    dirs.forEach((d, i) =>
      out.set(d, {
        status: 'failed',
        objects: [],
        closure: tree.closure(d),
        findings: i === 0 ? [finding] : [],
      }),
    );
    return out;
  }
  const local: string[] = [];
  for (const d of dirs) {
    const remote = remoteEntries(tree, d);
    if (remote.length === 0) local.push(d);
    else
      out.set(d, {
        status: 'skipped',
        objects: [],
        closure: tree.closure(d),
        findings: remote.map((r) => remoteFinding(tree, r)),
        remote: remote.map((r) => r.entry),
      });
  }
  await renderLocal(tree, local, options, out);
  return out;
}

/** Renders directories with kustomize: batched, concurrent, failures isolated and attributed. */
async function renderLocal(tree: LoadedTree, dirs: string[], options: RenderOptions, out: Map<string, DirRender>): Promise<void> {
  if (dirs.length === 0) return;
  const root = tree.reader.root;
  const work = mkdtempSync(join(tmpdir(), 'mlops-validate-'));
  const run = (dir: string) => {
    options.onProcess?.();
    return runKustomize(options.kubectl, dir);
  };
  const diagnose = failureDiagnosis(
    tree,
    (dir) => run(join(root, dir)),
    (stderr) => kustomizeError(stderr, root, work),
  );
  try {
    let counter = 0;
    const renderBatch = async (batch: string[]): Promise<void> => {
      const batchDir = join(work, `batch-${counter++}`);
      // Written synchronously (a few hundred bytes): the first processes start before the caller's next step.
      mkdirSync(batchDir);
      writeFileSync(
        join(batchDir, 'kustomization.yaml'),
        kustomizationText(batch.map((d) => relative(batchDir, join(root, d)).split(sep).join('/'))),
      );
      const result = await run(batchDir);
      const split = result.ok ? splitByDirectory(tree, batch, result.stdout, batchDir, root) : undefined;
      if (split) {
        for (const d of batch)
          out.set(d, {
            status: 'rendered',
            objects: split.get(d) ?? [],
            closure: tree.closure(d),
            findings: [],
          });
        return;
      }
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await Promise.all([renderBatch(batch.slice(0, half)), renderBatch(batch.slice(half))]);
        return;
      }
      const [dir] = batch;
      out.set(dir, {
        status: 'failed',
        objects: [],
        closure: tree.closure(dir),
        findings: await diagnose(dir, result.ok ? undefined : result.stderr),
      });
    };
    await runPool(planBatches(tree, dirs, options.groupOf, batchSizeFor(dirs.length, options.concurrency)), options.concurrency, renderBatch);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Why a directory fails, at the kustomization that holds the cause: the
 * innermost included kustomization that also fails on its own. Each cause is
 * reported once per run, whichever of the directories including it asks first.
 */
function failureDiagnosis(
  tree: LoadedTree,
  build: (dir: string) => Promise<KustomizeResult>,
  clean: (stderr: string) => string,
): (dir: string, batchError: string | undefined) => Promise<Finding[]> {
  const alone = new Map<string, Promise<string | undefined>>();
  const reported = new Set<string>();
  const errorOf = (dir: string) => {
    let p = alone.get(dir);
    if (!p) {
      p = build(dir).then((r) => (r.ok ? undefined : clean(r.stderr)));
      alone.set(dir, p);
    }
    return p;
  };
  const culprit = async (dir: string, error: string): Promise<{ dir: string; error: string }> => {
    for (const inc of tree.kustomization(dir)?.includes ?? []) {
      if (tree.kustomization(inc)?.kind !== 'Kustomization') continue; // a Component cannot be built alone
      const own = await errorOf(inc);
      if (own !== undefined) return culprit(inc, own);
    }
    return { dir, error };
  };
  return async (dir, batchError) => {
    const error =
      (await errorOf(dir)) ?? (batchError !== undefined ? clean(batchError) : 'kustomize rendered it alone but not in a batch with others');
    const cause = await culprit(dir, error);
    if (reported.has(cause.dir)) return [];
    reported.add(cause.dir);
    return [renderFailure(tree, cause.dir, cause.error)];
  };
}

function kustomizationText(resources: string[]): string {
  const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:'];
  for (const r of resources) lines.push(`  - ${JSON.stringify(r)}`);
  lines.push('buildMetadata: [originAnnotations]');
  return lines.join('\n') + '\n';
}

/**
 * The objects of a batch's output per directory, by the origin of each
 * object (closures in a batch are disjoint, so a file belongs to one
 * directory); undefined when an object cannot be attributed (the batch is
 * then rendered in halves).
 */
function splitByDirectory(
  tree: LoadedTree,
  batch: string[],
  stdout: string,
  batchDir: string,
  root: string,
): Map<string, RenderedObject[]> | undefined {
  const ownerOf = fileOwners(tree, batch);
  const out = new Map<string, RenderedObject[]>();
  // kustomize's output needs no positions (origins say where objects are written): the plain loader
  // parses it ten times faster than the Document API; the core schema reads scalars as `yaml` does.
  for (const object of loadAll(stdout, undefined, {
    schema: CORE_SCHEMA,
  }) as unknown[]) {
    if (!isK8sObject(object)) continue;
    const annotations = ((object.metadata as Record<string, unknown> | undefined)?.annotations ?? {}) as Record<string, string>;
    const origin = parseOrigin(annotations[ORIGIN_ANNOTATION], batchDir, root);
    stripOrigin(object);
    const dir = batch.length === 1 ? batch[0] : ownerOf(origin.file ?? origin.generatedBy);
    if (dir === undefined) return undefined;
    const list = out.get(dir) ?? [];
    list.push({ object, ...origin });
    out.set(dir, list);
  }
  return out;
}

/** Which batch directory a file belongs to: a file its closure names, else the closure directory holding it. */
function fileOwners(tree: LoadedTree, batch: string[]): (file: string | undefined) => string | undefined {
  const byDir = new Map<string, string>();
  const byFile = new Map<string, string>();
  for (const d of batch) {
    for (const c of tree.closure(d)) {
      byDir.set(c, d);
      for (const f of tree.kustomization(c)?.files ?? []) byFile.set(f, d);
    }
  }
  return (file) => {
    if (file === undefined) return undefined;
    const named = byFile.get(file);
    if (named !== undefined) return named;
    for (let dir = posix.dirname(file); ; dir = posix.dirname(dir)) {
      const owner = byDir.get(dir === '.' ? '' : dir);
      if (owner !== undefined || dir === '.' || dir === '/') return owner;
    }
  };
}

/** `path:` (a file) or `configuredIn:` (a generating kustomization), relative to the batch folder. */
function parseOrigin(text: string | undefined, batchDir: string, root: string): { file?: string; generatedBy?: string } {
  if (!text) return {};
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
  const toRoot = (p: string) => relative(root, resolve(batchDir, p)).split(sep).join('/');
  const path = field('path');
  const configuredIn = field('configuredIn');
  if (path && !/^[a-z]+:\/\//.test(path)) return { file: toRoot(path) };
  if (configuredIn) return { generatedBy: toRoot(configuredIn) };
  return {};
}

/** Removes the origin annotation validation asked for (kustomize puts it on each object's own metadata only). */
function stripOrigin(object: Record<string, unknown>): void {
  const metadata = object.metadata as Record<string, unknown> | undefined;
  const ann = metadata?.annotations as Record<string, unknown> | undefined;
  if (!ann || typeof ann !== 'object' || !(ORIGIN_ANNOTATION in ann)) return;
  delete ann[ORIGIN_ANNOTATION];
  if (Object.keys(ann).length === 0) delete metadata!.annotations;
}

/** The remote entries of a directory's closure, each with the kustomization naming it. */
function remoteEntries(tree: LoadedTree, dir: string): { info: KustomizationInfo; entry: string }[] {
  return tree.closure(dir).flatMap((d) => {
    const info = tree.kustomization(d);
    return info ? info.remote.map((entry) => ({ info, entry })) : [];
  });
}

function remoteFinding(tree: LoadedTree, { info, entry }: { info: KustomizationInfo; entry: string }): Finding {
  return {
    target: '',
    file: info.file,
    line: entryLine(tree, info, (e) => e === entry),
    rule: 'render-remote',
    severity: 'warning',
    message: `${info.file} names the remote resource '${entry}', which cannot be fetched offline: ${info.dir || '.'} was not rendered, so its objects were not checked.`,
    hint: 'Vendor the remote manifests into the repository (or validate where the network is reachable) to check them.',
  };
}

/** The line of the kustomization's first entry (resources, components, patches path, generator file) that `named` says it names, else 1. */
function entryLine(tree: LoadedTree, info: KustomizationInfo, named: (entry: string) => boolean): number {
  const parsed = tree.file(info.file);
  const raw = parsed?.documents[0]?.value as Record<string, unknown> | undefined;
  if (!parsed || !raw || typeof raw !== 'object') return 1;
  const names = (v: unknown) => typeof v === 'string' && (named(v) || named(v.slice(v.indexOf('=') + 1)));
  for (const [key, value] of Object.entries(raw)) {
    if (!Array.isArray(value)) continue;
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as unknown;
      if (names(item)) return keyLineOf(parsed, 0, [key, i]);
      for (const [field, v] of item && typeof item === 'object' ? Object.entries(item as Record<string, unknown>) : []) {
        if (names(v)) return keyLineOf(parsed, 0, [key, i, field]);
        const j = Array.isArray(v) ? v.findIndex(names) : -1;
        if (j !== -1) return keyLineOf(parsed, 0, [key, i, field, j]);
      }
    }
  }
  return 1;
}

function renderFailure(tree: LoadedTree, dir: string, message: string): Finding {
  const duplicate = /already registered id/.test(message);
  const info = tree.kustomization(dir);
  const file = info?.file ?? dir;
  // kustomize quotes the entry it could not read ('does-not-exist.yaml').
  return {
    target: '',
    file,
    line: info ? entryLine(tree, info, (e) => message.includes(`'${e}'`)) : 1,
    rule: duplicate ? 'duplicate-resource' : 'render-failed',
    severity: 'error',
    message: duplicate
      ? `kustomize build of ${dir || '.'} defines the same resource twice: ${message}`
      : `kustomize build of ${dir || '.'} failed: ${message}`,
    hint: duplicate
      ? 'Keep each object in one place; rename or remove the second definition.'
      : `Run \`kubectl kustomize ${KUSTOMIZE_FLAGS.join(' ')} ${dir || '.'}\` to reproduce.`,
  };
}

/**
 * kustomize's error, all of it, without kubectl's log prefix and with paths
 * made relative. kubectl logs a one-line error as `err="…"` and a longer one
 * as `err=<` followed by the indented lines and a closing ` >`.
 */
export function kustomizeError(stderr: string, root: string, work: string): string {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => /"command failed" err=/.test(l));
  let text: string;
  if (start === -1) text = lines.map((l) => l.replace(/^error: /, '')).join('\n');
  else if (/err=<\s*$/.test(lines[start])) {
    const end = lines.findIndex((l, i) => i > start && /^\s*>\s*$/.test(l));
    text = lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
  } else text = (/err="(.*)"\s*$/.exec(lines[start])?.[1] ?? lines[start]).replace(/\\"/g, '"').replace(/\\'/g, "'");
  text = text
    .split(root + '/')
    .join('')
    .split(root)
    .join('.')
    .split(work + '/')
    .join('')
    .split(work)
    .join('.');
  const kept = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^:?\s*>?$/.test(l))
    .join('\n');
  if (!kept) return 'unknown error.';
  return /[.!]$/.test(kept) ? kept : `${kept}.`;
}

interface KustomizeResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export function runKustomize(kubectl: string, dir: string): Promise<KustomizeResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(kubectl, ['kustomize', ...KUSTOMIZE_FLAGS, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...KUSTOMIZE_ENV },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', (e) => resolvePromise({ ok: false, stdout: '', stderr: e.message }));
    child.on('close', (code) =>
      resolvePromise({
        ok: code === 0,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
  });
}

const kubectlChecks = new Map<string, Promise<{ version: string } | { missing: string }>>();

/**
 * The client and kustomize versions of kubectl (`kubectl version --client`,
 * part of every memo key), or why it cannot run. Asked once per process.
 */
export function kubectlVersion(kubectl: string): Promise<{ version: string } | { missing: string }> {
  let check = kubectlChecks.get(kubectl);
  if (!check) {
    check = new Promise((resolvePromise) => {
      const child = spawn(kubectl, ['version', '--client', '-o', 'json'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const stdout: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => stdout.push(b));
      child.on('error', (e) =>
        resolvePromise({
          missing: (e as NodeJS.ErrnoException).code === 'ENOENT' ? `'${kubectl}' was not found on PATH` : e.message,
        }),
      );
      child.on('close', (code) =>
        resolvePromise(
          code === 0
            ? { version: versionLine(Buffer.concat(stdout).toString('utf8')) }
            : { missing: `'${kubectl} version --client' exited with ${code}` },
        ),
      );
    });
    kubectlChecks.set(kubectl, check);
  }
  return check;
}

/** `kubectl <gitVersion> kustomize <kustomizeVersion>` from the JSON output (the raw text if it is not JSON). */
function versionLine(text: string): string {
  try {
    const v = JSON.parse(text) as {
      clientVersion?: { gitVersion?: string };
      kustomizeVersion?: string;
    };
    return `kubectl ${v.clientVersion?.gitVersion ?? '?'} kustomize ${v.kustomizeVersion ?? '?'}`;
  } catch {
    return text.trim();
  }
}

function kustomizeMissing(kubectl: string, reason: string, file: string): Finding {
  return {
    target: '',
    file,
    line: 1,
    rule: 'kustomize-missing',
    severity: 'error',
    message: `Cannot render kustomizations: ${reason}; nothing was rendered, so this is not a pass.`,
    hint: `Install kubectl (it embeds kustomize v5) or pass its path with --kubectl; tried '${kubectl}'.`,
  };
}

export function defaultConcurrency(): number {
  return Math.max(2, cpus().length);
}

async function runPool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
