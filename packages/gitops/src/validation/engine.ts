/**
 * The validation engine. One run goes through numbered stages, each its own
 * module behind one small function:
 *
 *   1 load        stages/1-load.ts        read + parse each YAML file once (syntax, duplicate keys, kustomizations)
 *   2 render      stages/2-render.ts      kubectl kustomize, batched and concurrent, with Flux's build flags
 *   3 identify    stages/3-identify.ts    apiVersion/kind → kubernetes-models schema or a user CRD
 *   4 schema      stages/4-schema.ts      schema errors, unknown fields, HelmRelease chart xor chartRef
 *   5 references  stages/5-references.ts  chart sources, dependsOn, paths, AppProjects, duplicates, layers, cycles
 *   6 policy      stages/6-policy.ts      plaintext Secrets, pinning, manual sync, latest images, deprecated APIs, ${VAR}
 *   7 drift       stages/7-drift.ts       derived files against what derive gives for the sources of truth (layout mode)
 *   8 report      report.ts               findings for people (grouped by file) and machines (JSON, version 1)
 *
 * plan.ts decides beforehand what a run covers (layout mode: components and
 * environments of gitops/; any mode: every kustomization and manifest).
 */
import { diskReader, FileReader, isYamlPath } from './file-reader';
import { Plan, planAny, planLayout } from './plan';
import { sortFindings } from './report';
import { LoadedTree } from './stages/1-load';
import { MemoHit } from './render-memo';
import { defaultConcurrency, dirsToRender, kubectlVersion, memoHits, memoiseRenders, openRenderMemo, renderDirs, RenderedObject, RenderOutput } from './stages/2-render';
import { SchemaRegistry, schemaVersion } from './stages/3-identify';
import { checkSchemas, SchemaVerdict } from './stages/4-schema';
import { checkReferences } from './stages/5-references';
import { checkPolicy } from './stages/6-policy';
import { checkDrift } from './stages/7-drift';
import { checkDeployability } from './stages/deployability';
import { locateDocument, Subject, writtenSubjects } from './stages/subject';
import { Finding, ValidateRequest, ValidationReport } from './types';

export * from './types';
export { formatHuman, formatJson, hasErrors } from './report';
export { diskReader, memoryReader } from './file-reader';
export type { FileReader } from './file-reader';

export async function validate(req: ValidateRequest): Promise<ValidationReport> {
  return validateWith(diskReader(req.root), req);
}

/** The engine over any FileReader (rendering reads the disk at `reader.root`). */
export async function validateWith(reader: FileReader, req: ValidateRequest): Promise<ValidationReport> {
  const started = Date.now();
  const tree = new LoadedTree(reader);
  const kubectl = req.kubectl ?? 'kubectl';
  void kubectlVersion(kubectl); // asked once per process; kubectl answers while the plan is made
  const plan = req.layout === 'gitops' ? planLayout(tree, req) : planAny(tree, req);
  // kustomize renders in child processes while this process parses the rest of the files.
  const memo = req.renderCacheDir === undefined ? undefined : await openRenderMemo(req.renderCacheDir, kubectl, schemaVersion(tree, plan.crdsDir));
  const memoised = memo ? memoHits(memo, tree.reader, plan.renderRequests) : new Map<string, MemoHit>();
  const closureOf = (dir: string) => memoised.get(dir)?.closure ?? tree.closure(dir);
  const contextDirs = onlyContext(plan, closureOf);
  const dirs = dirsToRender(tree, plan.renderRequests, closureOf, memoised);
  const subjectsOf = dirSubjects(tree, plan, contextDirs);
  const fromMemo = new Map<string, Subject[]>();
  const [rendered] = await Promise.all([
    renderDirs(tree, dirs, { kubectl, concurrency: req.concurrency ?? defaultConcurrency(), groupOf: plan.groupOf, memoised }),
    loadFiles(tree, withoutClean(plan.files, memoised)),
    // While kustomize renders what changed, the memo hits become subjects.
    forEachSliced(dirs, (dir) => {
      const hit = memoised.get(dir);
      if (hit) fromMemo.set(dir, subjectsOf(dir, hit.objects.map((o) => ({ ...o, dir }))));
    }),
  ]);
  // In the order of the directories, whatever finished first: "defined twice" names the same two places every run.
  const renderedByDir = new Map<string, Subject[]>();
  for (const dir of dirs) {
    const objects = rendered.objects.get(dir);
    if (objects) renderedByDir.set(dir, fromMemo.get(dir) ?? subjectsOf(dir, objects));
  }
  const subjects = [...renderedByDir.values()].flat().concat(plainManifests(tree, plan, rendered, contextDirs, memoised));
  const checked = subjects.filter((s) => !s.context);

  const registry = new SchemaRegistry();
  registry.loadCrds(tree, plan.crdsDir);
  const known = knownVerdicts(memoised, renderedByDir, checked);
  const schema = await checkSchemas(checked, registry, tree, plan.crdsHint, (i) => known.get(checked[i]));
  if (memo) memoiseRenders(memo, tree, rendered, memoised, verdictsByDir(renderedByDir, checked, schema.verdicts));
  const findings: Finding[] = [
    ...plan.findings,
    ...tree.findings,
    ...rendered.findings,
    ...schema.findings,
    ...checkReferences(subjects, tree, plan.references),
    ...checkPolicy(checked, tree, { policyOf: plan.policyOf, renderedByDir }),
    ...(req.layout === 'gitops' ? checkDrift(tree.reader) : []),
    ...(req.layout === 'gitops' ? checkDeployability(tree.reader) : []),
  ];
  return {
    version: 1,
    findings: sortFindings(dedupe(findings.map((f) => (f.target || !req.targets.length ? f : { ...f, target: plan.ownerOf(f.file) })))),
    stats: {
      targets: req.targets.length,
      files: plan.files.length,
      renders: rendered.renders,
      memoHits: rendered.memoHits,
      documents: checked.length,
      schemaChecked: schema.checked,
      unchecked: schema.unchecked,
      durationMs: Date.now() - started,
    },
  };
}

/**
 * Schema verdicts the memo holds: for the subjects of its hits, and for any
 * other checked object equal to one of those (a verdict depends on the object
 * only: an overlay that changed one value still has its other objects' verdicts).
 */
function knownVerdicts(memoised: Map<string, MemoHit>, renderedByDir: Map<string, Subject[]>, checked: Subject[]): Map<Subject, SchemaVerdict> {
  const known = new Map<Subject, SchemaVerdict>();
  const byContent = new Map<string, SchemaVerdict>();
  for (const [dir, hit] of memoised) {
    const subjects = renderedByDir.get(dir);
    if (!hit.verdicts || !subjects || subjects.length !== hit.verdicts.length) continue;
    subjects.forEach((s, i) => known.set(s, hit.verdicts![i]));
  }
  const unknown = checked.filter((s) => !known.has(s));
  if (unknown.length === 0 || unknown.length === checked.length) return known;
  for (const [s, verdict] of known) byContent.set(JSON.stringify(s.object), verdict);
  for (const s of unknown) {
    const verdict = byContent.get(JSON.stringify(s.object));
    if (verdict) known.set(s, verdict);
  }
  return known;
}

/** The verdicts of a checked directory's subjects, in object order (undefined for context directories). */
function verdictsByDir(renderedByDir: Map<string, Subject[]>, checked: Subject[], verdicts: SchemaVerdict[]): (dir: string) => SchemaVerdict[] | undefined {
  const of = new Map<Subject, SchemaVerdict>();
  checked.forEach((s, i) => of.set(s, verdicts[i]));
  return (dir) => {
    const list = (renderedByDir.get(dir) ?? []).map((s) => of.get(s));
    return list.every((v): v is SchemaVerdict => v !== undefined) ? list : undefined;
  };
}

/** Files a memo hit vouches for: unchanged since they parsed without error, so not parsed again unless a finding needs a line. */
function withoutClean(files: string[], memoised: Map<string, MemoHit>): string[] {
  if (memoised.size === 0) return files;
  const clean = new Set<string>();
  for (const hit of memoised.values()) for (const f of hit.clean) clean.add(f);
  return files.filter((f) => !clean.has(f));
}

/** Parses every planned file, yielding to the event loop now and then so running kustomize processes are served. */
async function loadFiles(tree: LoadedTree, files: string[]): Promise<void> {
  for (let i = 0; i < files.length; i++) {
    tree.file(files[i]);
    if (i % LOAD_SLICE === LOAD_SLICE - 1) await new Promise((resolve) => setImmediate(resolve));
  }
}

const LOAD_SLICE = 200;

/**
 * Context directories whose content nothing else checks. One whose closure
 * holds a directory this run checks is checked itself: rendering both would
 * show the same objects twice.
 */
function onlyContext(plan: Plan, closureOf: (dir: string) => string[]): Set<string> {
  const context = new Set(plan.contextDirs);
  const checked = new Set(plan.renderRequests.filter((d) => !context.has(d)));
  return new Set([...context].filter((d) => !closureOf(d).some((c) => checked.has(c))));
}

/** Subjects of one rendered directory: checked, or context (see Plan.contextDirs). */
function dirSubjects(tree: LoadedTree, plan: Plan, contextDirs: Set<string>): (dir: string, objects: RenderedObject[]) => Subject[] {
  return (dir, objects) => {
    const where = { dir, scope: plan.scopeOf(dir), env: plan.envOf(dir), target: plan.ownerOf(dir) };
    if (contextDirs.has(dir)) return objects.map((r) => contextSubject(tree, r, where));
    const fallback = () => tree.kustomization(dir)?.file ?? dir;
    return objects.map((r) => {
      const written = r.file !== undefined && isYamlPath(r.file) && tree.reader.isFile(r.file);
      return { ...where, object: r.object, file: written ? r.file! : r.generatedBy ?? fallback(), ...(written ? { locate: locator(tree, r.file!, r.object) } : {}) };
    });
  };
}

/** Calls `fn` for each item, yielding to the event loop now and then so child processes and file reads are served. */
async function forEachSliced<T>(items: T[], fn: (item: T) => void): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    if (i % SUBJECT_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    fn(items[i]);
  }
}

const SUBJECT_SLICE = 50;

/** A context object: its file is parsed only if a finding needs a line in it. */
function contextSubject(tree: LoadedTree, r: RenderedObject, where: Pick<Subject, 'dir' | 'scope' | 'env' | 'target'>): Subject {
  const file = r.file ?? r.generatedBy ?? tree.kustomization(r.dir)?.file ?? r.dir;
  return { ...where, object: r.object, file, context: true, ...(r.file !== undefined ? { locate: locator(tree, r.file, r.object) } : {}) };
}

/** Finds the object's document in its file when first asked (the file is parsed then, if it was not yet). */
function locator(tree: LoadedTree, file: string, object: Record<string, unknown>): () => number | undefined {
  let located: { index?: number } | undefined;
  return () => (located ??= { index: locateDocument(tree, file, object) }).index;
}

/** Objects in YAML files that no rendered kustomization reads: checked as written. */
function plainManifests(tree: LoadedTree, plan: Plan, rendered: RenderOutput, contextDirs: Set<string>, memoised: Map<string, MemoHit>): Subject[] {
  const covered = new Set<string>();
  const seen = new Set<string>();
  // Context directories belong to components that are not targets, whose files are not planned.
  for (const dir of [...rendered.objects.keys(), ...rendered.failed].filter((d) => !contextDirs.has(d))) {
    const hit = memoised.get(dir);
    if (hit && !hit.deprecatedFields) {
      for (const f of hit.covers) covered.add(f);
      continue;
    }
    for (const k of tree.closure(dir)) {
      if (seen.has(k)) continue;
      seen.add(k);
      for (const f of tree.kustomization(k)?.files ?? []) covered.add(f);
    }
  }
  const out: Subject[] = [];
  for (const path of plan.files) {
    if (covered.has(path) || plan.isConfig(path)) continue;
    out.push(...writtenSubjects(tree, path, { scope: plan.scopeOf(path), env: plan.envOf(path), target: plan.ownerOf(path) }));
  }
  return out;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = [f.target, f.file, f.line, f.column, f.rule, f.message].join('\0');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
