/**
 * Stage 2, render: build kustomization directories with the real kustomize
 * (`kubectl kustomize`, embedded kustomize v5) and the flag Flux's
 * kustomize-controller builds with (`--load-restrictor=LoadRestrictionsNone`).
 *
 * Speed comes from doing less and batching the rest:
 * - a directory that another rendered directory includes is not rendered on
 *   its own (its content is rendered, and checked, inside the includer);
 * - directories whose include-closures are disjoint are rendered together by
 *   one kustomize process, through a temporary kustomization that lists one
 *   small wrapper per directory; the wrapper stamps an annotation naming its
 *   directory so the output can be split again, and asks for kustomize's
 *   origin annotations so each object points to the file it came from;
 * - a batch that fails is split in halves until each failure is attributed
 *   to one directory; batches run concurrently.
 *
 * Temporary files live in one directory under the OS temp dir, removed at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, posix, relative, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isK8sObject, LoadedTree } from './1-load';
import type { FileReader } from '../file-reader';
import { diskRenderMemo, MemoHit, RenderMemo } from '../render-memo';
import type { SchemaVerdict } from './4-schema';
import { Finding } from '../types';

export const KUSTOMIZE_FLAGS = ['--load-restrictor=LoadRestrictionsNone'] as const;
const DIR_ANNOTATION = 'validate.mlops.dev/render-dir';
const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';

export interface RenderedObject {
  object: Record<string, unknown>;
  /** The rendered directory the object came out of. */
  dir: string;
  /** The file the object was read from (kustomize origin), when known. */
  file?: string;
  /** For generated objects: the kustomization file that generated it. */
  generatedBy?: string;
}

export interface RenderOptions {
  kubectl: string;
  concurrency: number;
  /** Directories that may share a kustomize process (e.g. one environment's overlays) share a key. */
  groupOf: (dir: string) => string;
  /** Directories whose render the memo already holds (memoHits). */
  memoised?: ReadonlyMap<string, MemoHit>;
}

export interface RenderOutput {
  /** Objects per rendered directory (absent when the directory failed). */
  objects: Map<string, RenderedObject[]>;
  failed: Set<string>;
  findings: Finding[];
  /** kustomize processes run. */
  renders: number;
  /** Directories whose render came from the memo. */
  memoHits: number;
  /** Directories rendered by kustomize in this run, successfully. */
  fresh: string[];
}

/**
 * Directories that need their own render: the requested ones not included by
 * another requested one. `closureOf` may answer from the render memo, so
 * unchanged kustomizations need not be parsed.
 */
export function dirsToRender(tree: LoadedTree, requested: string[], closureOf: (dir: string) => string[] = (d) => tree.closure(d), memoised: ReadonlyMap<string, unknown> = new Map()): string[] {
  const unique = [...new Set(requested)].filter((d) => memoised.has(d) || tree.kustomization(d)?.kind === 'Kustomization');
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

export async function renderDirs(tree: LoadedTree, dirs: string[], options: RenderOptions): Promise<RenderOutput> {
  const out: RenderOutput = { objects: new Map(), failed: new Set(), findings: [], renders: 0, memoHits: 0, fresh: [] };
  if (dirs.length === 0) return out;
  const kubectl = await kubectlVersion(options.kubectl);
  if ('missing' in kubectl) {
    out.findings.push(kustomizeMissing(options.kubectl, kubectl.missing, tree.kustomization(dirs[0])?.file ?? dirs[0]));
    for (const d of dirs) out.failed.add(d);
    return out;
  }
  const toRender: string[] = [];
  for (const d of dirs) {
    const hit = options.memoised?.get(d);
    if (!hit) {
      toRender.push(d);
      continue;
    }
    out.objects.set(d, hit.objects.map((o) => ({ ...o, dir: d })));
    out.memoHits++;
  }
  await renderFresh(tree, toRender, options, out);
  out.fresh = toRender.filter((d) => !out.failed.has(d));
  return out;
}

/**
 * Memoises this run's fresh renders, and memo hits that lacked schema verdicts
 * the run has now reached (after the run parsed and checked, so the entries
 * know which files are clean and what each object's verdict is).
 */
export function memoiseRenders(
  memo: RenderMemo,
  tree: LoadedTree,
  out: RenderOutput,
  memoised: ReadonlyMap<string, MemoHit>,
  verdictsOf: (dir: string) => SchemaVerdict[] | undefined,
): void {
  for (const d of out.fresh) memo.set(tree, d, (out.objects.get(d) ?? []).map(({ dir: _dir, ...o }) => o), verdictsOf(d));
  for (const [d, hit] of memoised) {
    const verdicts = hit.verdicts ? undefined : verdictsOf(d);
    if (verdicts) memo.set(tree, d, hit.objects, verdicts, hit.clean);
  }
  memo.prune();
}

/** The render memo in `folder` for this kubectl, or undefined when kubectl cannot run (the render stage reports that). */
export async function openRenderMemo(folder: string, kubectl: string, schemaVersion: string): Promise<RenderMemo | undefined> {
  const v = await kubectlVersion(kubectl);
  return 'version' in v ? diskRenderMemo(folder, `${v.version} ${KUSTOMIZE_FLAGS.join(' ')}`, schemaVersion) : undefined;
}

/** The requested directories the memo holds an up-to-date render of. */
export function memoHits(memo: RenderMemo, reader: FileReader, dirs: string[]): Map<string, MemoHit> {
  const hits = new Map<string, MemoHit>();
  for (const d of new Set(dirs)) {
    const hit = memo.get(reader, d);
    if (hit) hits.set(d, hit);
  }
  return hits;
}

/** Renders directories with kustomize: batched, concurrent, failures isolated. */
async function renderFresh(tree: LoadedTree, dirs: string[], options: RenderOptions, out: RenderOutput): Promise<void> {
  if (dirs.length === 0) return;
  const root = tree.reader.root;
  const work = mkdtempSync(join(tmpdir(), 'mlops-validate-'));
  try {
    const wrapperOf = wrapperWriter(work, root);
    let counter = 0;
    const renderBatch = async (batch: string[]): Promise<void> => {
      const batchDir = join(work, `batch-${counter++}`);
      const wrappers = await Promise.all(batch.map(wrapperOf));
      await mkdir(batchDir);
      await writeFile(join(batchDir, 'kustomization.yaml'), kustomizationText(wrappers.map((w) => posix.join('..', w))));
      out.renders++;
      const result = await runKustomize(options.kubectl, batchDir);
      if (result.ok) {
        collectObjects(out, result.stdout, batchDir, root);
        return;
      }
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await Promise.all([renderBatch(batch.slice(0, half)), renderBatch(batch.slice(half))]);
        return;
      }
      const dir = batch[0];
      out.failed.add(dir);
      out.renders++;
      const direct = await runKustomize(options.kubectl, join(root, dir));
      out.findings.push(renderFailure(tree, dir, cleanError(direct.ok ? result.stderr : direct.stderr, root, work)));
    };
    await runPool(planBatches(tree, dirs, options.groupOf, batchSizeFor(dirs.length, options.concurrency)), options.concurrency, renderBatch);
    for (const d of dirs) if (!out.failed.has(d) && !out.objects.has(d)) out.objects.set(d, []);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Writes each directory's wrapper when a batch first needs it (so the first
 * batch starts early), asynchronously (the file system works in libuv's
 * threads while this one parses); resolves to its folder name.
 */
function wrapperWriter(work: string, root: string): (dir: string) => Promise<string> {
  const written = new Map<string, Promise<string>>();
  return (dir) => {
    let name = written.get(dir);
    if (name === undefined) {
      const folder = `dir-${written.size}`;
      const wrapper = join(work, folder);
      const target = relative(wrapper, join(root, dir)).split(sep).join('/');
      name = mkdir(wrapper)
        .then(() => writeFile(join(wrapper, 'kustomization.yaml'), kustomizationText([target], dir)))
        .then(() => folder);
      written.set(dir, name);
    }
    return name;
  };
}

function kustomizationText(resources: string[], stampDir?: string): string {
  const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:'];
  for (const r of resources) lines.push(`  - ${JSON.stringify(r)}`);
  if (stampDir !== undefined) lines.push('commonAnnotations:', `  ${DIR_ANNOTATION}: ${JSON.stringify(stampDir)}`);
  lines.push('buildMetadata: [originAnnotations]');
  return lines.join('\n') + '\n';
}

function collectObjects(out: RenderOutput, stdout: string, batchDir: string, root: string): void {
  for (const doc of parseAllDocuments(stdout)) {
    if (Array.isArray(doc)) continue;
    const object = doc.toJS() as unknown;
    if (!isK8sObject(object)) continue;
    const annotations = ((object.metadata as Record<string, unknown> | undefined)?.annotations ?? {}) as Record<string, string>;
    const dir = annotations[DIR_ANNOTATION];
    const origin = parseOrigin(annotations[ORIGIN_ANNOTATION], batchDir, root);
    stripAnnotations(object);
    if (dir === undefined) continue;
    const list = out.objects.get(dir) ?? [];
    list.push({ object, dir, ...origin });
    out.objects.set(dir, list);
  }
}

/** `path:` (a file) or `configuredIn:` (a generating kustomization), relative to the wrappers' folder. */
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

/** Removes the annotations validation added, wherever kustomize put them (metadata and pod templates). */
function stripAnnotations(value: unknown): void {
  if (!value || typeof value !== 'object') return;
  if (Array.isArray(value)) return value.forEach(stripAnnotations);
  const o = value as Record<string, unknown>;
  const ann = o.annotations as Record<string, unknown> | undefined;
  if (ann && typeof ann === 'object' && (DIR_ANNOTATION in ann || ORIGIN_ANNOTATION in ann)) {
    delete ann[DIR_ANNOTATION];
    delete ann[ORIGIN_ANNOTATION];
    if (Object.keys(ann).length === 0) delete o.annotations;
  }
  for (const v of Object.values(o)) stripAnnotations(v);
}

function renderFailure(tree: LoadedTree, dir: string, message: string): Finding {
  const duplicate = /already registered id/.test(message);
  const file = tree.kustomization(dir)?.file ?? dir;
  return {
    target: '',
    file,
    line: 1,
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

/** kubectl's error line without its klog prefix and with paths made relative. */
export function cleanError(stderr: string, root: string, work: string): string {
  const line = stderr.trim().split('\n').filter(Boolean).pop() ?? 'unknown error';
  const m = /"command failed" err="(.*)"$/.exec(line) ?? /^error: (.*)$/.exec(line);
  let text = (m ? m[1] : line).replace(/\\"/g, '"').replace(/\\'/g, "'");
  text = text.split(root + '/').join('').split(root).join('.').split(work + '/').join('').split(work).join('.');
  return text.endsWith('.') ? text : `${text}.`;
}

interface KustomizeResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export function runKustomize(kubectl: string, dir: string): Promise<KustomizeResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(kubectl, ['kustomize', ...KUSTOMIZE_FLAGS, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', (e) => resolvePromise({ ok: false, stdout: '', stderr: e.message }));
    child.on('close', (code) =>
      resolvePromise({ ok: code === 0, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }),
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
      const child = spawn(kubectl, ['version', '--client', '-o', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const stdout: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => stdout.push(b));
      child.on('error', (e) => resolvePromise({ missing: (e as NodeJS.ErrnoException).code === 'ENOENT' ? `'${kubectl}' was not found on PATH` : e.message }));
      child.on('close', (code) => resolvePromise(code === 0 ? { version: versionLine(Buffer.concat(stdout).toString('utf8')) } : { missing: `'${kubectl} version --client' exited with ${code}` }));
    });
    kubectlChecks.set(kubectl, check);
  }
  return check;
}

/** `kubectl <gitVersion> kustomize <kustomizeVersion>` from the JSON output (the raw text if it is not JSON). */
function versionLine(text: string): string {
  try {
    const v = JSON.parse(text) as { clientVersion?: { gitVersion?: string }; kustomizeVersion?: string };
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
