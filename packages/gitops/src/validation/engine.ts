/**
 * The validation engine. One run goes through numbered stages, each its own
 * module behind one small function:
 *
 *  0b config      stages/configuration.ts layout mode: platform, component and environment files, production's settings
 *   1 load        stages/1-load.ts        read + parse each YAML file once (syntax, duplicate keys, kustomizations)
 *   2 render      stages/2-render.ts      kubectl kustomize, one run per batch, failures once at the innermost failing base
 *  2b post-build  stages/post-build.ts    what the deploying Flux Kustomization does next: patches, ${VAR} substitution
 *   3 identify    stages/3-identify.ts    apiVersion/kind → kubernetes-models schema or a user CRD
 *   4 schema      stages/4-schema.ts      schema errors, unknown fields, Flux CRD rules (CEL), at the patch line that set the value
 *   5 references  stages/5-references.ts  chart sources, dependsOn, paths, AppProjects, duplicates, layers, cycles
 *   6 policy      stages/6-policy.ts      plaintext Secrets, pinning, manual sync, latest images, deprecated APIs, open AppProjects
 *   7 drift       stages/7-drift.ts       image tags at the blueprints' keys; derived files against their sources (layout mode)
 *   8 report      report.ts, reporters/   findings for people (grouped by file) and machines (JSON version 1, SARIF)
 *
 * plan.ts decides beforehand what a run covers (layout mode: components and
 * environments of gitops/; any mode: every kustomization and manifest);
 * scope.ts what it leaves out (Helm charts, --exclude, .sourceignore);
 * caches.ts keeps renders, schema verdicts and the tree model between runs.
 */
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { diskReader, FileReader, isYamlPath } from './file-reader';
import { cachedLayoutChecks, cachedRenders, cachedVerdicts, validatorVersion } from './caches';
import { Plan, planAny, planLayout } from './plan';
import { sortFindings } from './report';
import { LoadedTree } from './stages/1-load';
import { defaultConcurrency, DirRender, dirsToRender, kubectlVersion, renderDirs, RenderedObject } from './stages/2-render';
import { SchemaRegistry } from './stages/3-identify';
import { checkSchemas, schemaChecker } from './stages/4-schema';
import { checkReferences } from './stages/5-references';
import { checkConfiguration } from './stages/configuration';
import { checkPolicy } from './stages/6-policy';
import { checkDrift, layoutModel } from './stages/7-drift';
import { checkImageValues } from './stages/image-values';
import { applyPostBuild } from './stages/post-build';
import { scopeOf } from './scope';
import { checkDeployability } from './stages/deployability';
import { locateDocument, Subject, writtenSubjects } from './stages/subject';
import { Finding, SkippedPath, StageName, ValidateRequest, ValidationReport } from './types';

export * from './types';
export { FORMATS, formatHuman, formatJson, formatReport, hasErrors } from './report';
export type { Format } from './report';
export { formatSarif } from './reporters/sarif';
export { diskReader, memoryReader } from './file-reader';
export type { FileReader } from './file-reader';

export async function validate(req: ValidateRequest): Promise<ValidationReport> {
  return validateWith(diskReader(req.root), req);
}

/** The engine over any FileReader (rendering reads the disk at `reader.root`). */
export async function validateWith(reader: FileReader, req: ValidateRequest): Promise<ValidationReport> {
  const clock = stageClock();
  const tree = new LoadedTree(reader, scopeOf(reader, req.exclude));
  const kubectl = req.kubectl ?? 'kubectl';
  const version = kubectlVersion(kubectl); // asked once per process; kubectl answers while the plan is made
  const plan = clock.time('plan', () => (req.layout === 'gitops' ? planLayout(tree, req) : planAny(tree, req)));
  const kustomize = await clock.timeAsync('render', () => version);
  const rendering = renderAndLoad(tree, plan, req, clock, kustomize);
  // The layout checks read no render: they run while kustomize does, from the next turn of the event
  // loop (by then the rendering has started its first kustomize processes).
  const layoutChecked = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
    clock.timeAsync('drift', () => layoutChecks(tree, plan, req)),
  );
  const [run, layout] = await Promise.all([rendering, layoutChecked]);
  const built = clock.time('load', () => [
    ...run.dirs.flatMap((d) => {
      const r = run.renders.get(d);
      return r?.status === 'rendered' ? dirSubjects(tree, plan, run.contextDirs, d, r.objects) : [];
    }),
    ...plainManifests(tree, plan, run.checkedDirs),
  ]);
  const postBuilt = await clock.timeAsync('post-build', () => applyPostBuild(built, tree, { ...plan.postBuild, kubectl }));
  const subjects = postBuilt.subjects;
  const checked = subjects.filter((s) => !s.context);
  const schema = await clock.timeAsync('schema', () => schemaStage(tree, plan, req.cacheDir, checked));
  const findings: Finding[] = [
    ...(plan.model ? clock.time('config', () => checkConfiguration(tree, plan.model!, req.targets)) : []),
    ...tree.findings,
    ...run.dirs.flatMap((d) => run.renders.get(d)?.findings ?? []),
    ...postBuilt.findings,
    ...schema.findings,
    ...clock.time('references', () => checkReferences(subjects, tree, plan.references)),
    ...clock.time('policy', () => checkPolicy(checked, tree, { policyOf: plan.policyOf, leastPrivilege: plan.leastPrivilege })),
    ...layout,
  ];
  const all = sortFindings(dedupe(findings.map((f) => (f.target || !req.targets.length ? f : { ...f, target: plan.ownerOf(f.file) }))));
  return {
    version: 1,
    findings: all,
    stats: {
      targets: req.targets.length,
      files: plan.files.length,
      renders: run.processes,
      memoHits: run.hits,
      verdictHits: schema.hits,
      documents: checked.length,
      schemaChecked: schema.checked,
      unchecked: schema.unchecked,
      durationMs: clock.total(),
      stages: clock.stages,
      skipped: skippedOf(tree.scope.skipped(), run.dirs, run.renders, all),
    },
  };
}

type StageClock = ReturnType<typeof stageClock>;

/**
 * Stage 2 behind the cache, with stage 1 beside it: kustomize renders in
 * child processes while this process parses the files no render reads.
 */
async function renderAndLoad(
  tree: LoadedTree,
  plan: Plan,
  req: ValidateRequest,
  clock: StageClock,
  kustomize: { version: string } | { missing: string },
) {
  let processes = 0;
  const renderOnce = onceEach((dirs: string[]) =>
    renderDirs(tree, dirs, {
      kubectl: req.kubectl ?? 'kubectl',
      kustomize,
      concurrency: req.concurrency ?? defaultConcurrency(),
      groupOf: plan.groupOf,
      onProcess: () => processes++,
    }),
  );
  const render = cachedRenders('version' in kustomize ? req.cacheDir : undefined, 'version' in kustomize ? kustomize.version : '', tree, renderOnce);
  const closureOf = (dir: string) => render.stored(dir)?.closure ?? tree.closure(dir);
  const known = (d: string) => render.stored(d) !== undefined;
  // Which directories to render (looking them up in the cache) is the render stage's time.
  const { contextDirs, dirs } = clock.time('render', () => {
    // The directories the targets hold are looked up first and what is not cached starts rendering
    // now: the lookups of the context directories (an environment's view of every overlay, most of
    // the lookups of an affected run) then happen while kustomize works.
    const context = new Set(plan.contextDirs);
    const early = dirsToRender(
      tree,
      plan.renderRequests.filter((d) => !context.has(d)),
      closureOf,
      known,
    ).filter((d) => !known(d));
    if (early.length) renderOnce(early).catch(() => undefined); // awaited below, through render(dirs)
    const contextDirs = onlyContext(plan, closureOf);
    return {
      contextDirs,
      dirs: dirsToRender(tree, plan.renderRequests, closureOf, known),
    };
  });
  // The checked directories' kustomizations are read in any case (their deprecated fields are findings).
  const checkedDirs = dirs.filter((d) => !contextDirs.has(d));
  const readByRenders = clock.time('load', () => yamlReadByKustomize(tree, checkedDirs));
  const [rendered] = await Promise.all([
    clock.timeAsync('render', () => render(dirs)),
    clock.timeAsync('load', () =>
      loadFiles(
        tree,
        plan.files.filter((f) => !readByRenders.parsed.has(f)),
        readByRenders.data,
      ),
    ),
  ]);
  // A file kustomize parsed in a successful render has no YAML error; the others are parsed for theirs.
  clock.time('load', () => parseUnrendered(tree, checkedDirs, rendered.outputs));
  return {
    dirs,
    contextDirs,
    checkedDirs,
    renders: rendered.outputs,
    hits: rendered.hits,
    processes,
  };
}

/** A batch computation that computes each input once: a later call waits for what an earlier one started. */
function onceEach<I, O>(compute: (inputs: I[]) => Promise<Map<I, O>>): (inputs: I[]) => Promise<Map<I, O>> {
  const started = new Map<I, Promise<O>>();
  return async (inputs) => {
    const fresh = inputs.filter((i) => !started.has(i));
    if (fresh.length) {
      const batch = compute(fresh);
      for (const i of fresh)
        started.set(
          i,
          batch.then((outputs) => outputs.get(i)!),
        );
    }
    return new Map(await Promise.all(inputs.map(async (i) => [i, await started.get(i)!] as const)));
  };
}

/** Stage 4 behind the cache: each checked object's verdict, placed at its file and line. */
async function schemaStage(tree: LoadedTree, plan: Plan, cacheDir: string | undefined, checked: Subject[]) {
  const registry = new SchemaRegistry();
  registry.loadCrds(tree, plan.crdsDir);
  const verdicts = cachedVerdicts(cacheDir, () => validatorVersion(tree, plan.crdsDir), schemaChecker(registry, plan.crdsHint));
  let hits = 0;
  const outcome = await checkSchemas(checked, tree, async (objects) => {
    const run = await verdicts(objects);
    hits = run.hits;
    return run.outputs;
  });
  return { ...outcome, hits };
}

/** Wall-clock time per stage; a stage timed twice adds up. */
function stageClock() {
  const started = Date.now();
  const stages: Partial<Record<StageName, number>> = {};
  const add = (name: StageName, since: number) => (stages[name] = (stages[name] ?? 0) + Date.now() - since);
  return {
    stages,
    total: () => Date.now() - started,
    time<T>(name: StageName, fn: () => T): T {
      const since = Date.now();
      try {
        return fn();
      } finally {
        add(name, since);
      }
    },
    async timeAsync<T>(name: StageName, fn: () => Promise<T>): Promise<T> {
      const since = Date.now();
      try {
        return await fn();
      } finally {
        add(name, since);
      }
    },
  };
}

/** What the run did not check: what the scope left out (charts, --exclude, .sourceignore), directories not rendered (remote resources), kinds without a schema. */
function skippedOf(scoped: SkippedPath[], dirs: string[], renders: Map<string, DirRender>, findings: Finding[]): SkippedPath[] {
  const skipped = new Map<string, SkippedPath>();
  const add = (s: SkippedPath) => skipped.set(`${s.path}\0${s.reason}\0${s.detail}`, s);
  for (const s of scoped) add(s);
  for (const d of dirs) {
    const r = renders.get(d);
    if (r?.status === 'skipped')
      add({
        path: d || '.',
        reason: 'remote-resource',
        detail: r.remote?.join(', '),
      });
  }
  for (const f of findings) {
    // "<apiVersion> <Kind> '<name>' has no known schema …"
    if (f.rule === 'schema-unchecked')
      add({
        path: f.file,
        reason: 'unchecked-kind',
        detail: f.message.split(' ').slice(0, 2).join(' '),
      });
  }
  return [...skipped.values()].sort(
    (a, b) => a.path.localeCompare(b.path) || a.reason.localeCompare(b.reason) || (a.detail ?? '').localeCompare(b.detail ?? ''),
  );
}

/**
 * The YAML files the checked directories' kustomizations hand to kustomize:
 * as resources or patches (`parsed`: kustomize parses them) and as generator
 * data (`data`: kustomize passes them on as text).
 */
function yamlReadByKustomize(tree: LoadedTree, dirs: string[]): { parsed: Set<string>; data: Set<string> } {
  const parsed = new Set<string>();
  const data = new Set<string>();
  for (const d of dirs) {
    for (const k of tree.closure(d)) {
      const info = tree.kustomization(k);
      if (!info) continue;
      for (const f of info.dataFiles) data.add(f);
      for (const f of info.files) if (f !== info.file && !data.has(f) && isYamlPath(f)) parsed.add(f);
    }
  }
  return { parsed, data };
}

/** Parses the files of directories that did not render, so their YAML errors are reported. */
function parseUnrendered(tree: LoadedTree, dirs: string[], renders: Map<string, DirRender>): void {
  for (const d of dirs) {
    if (renders.get(d)?.status === 'rendered') continue;
    for (const k of tree.closure(d)) for (const f of tree.kustomization(k)?.files ?? []) tree.file(f);
  }
}

/**
 * Parses every planned file, yielding to the event loop now and then so
 * running kustomize processes are served. A generator's data file (values
 * handed to a ConfigMap) is only checked for syntax and duplicate keys, with
 * the plain loader; the Document parse that gives positions runs when it has
 * a problem to report.
 */
async function loadFiles(tree: LoadedTree, files: string[], dataFiles: Set<string>): Promise<void> {
  for (let i = 0; i < files.length; i++) {
    if (!dataFiles.has(files[i]) || !wellFormed(tree, files[i])) tree.file(files[i]);
    if (i % LOAD_SLICE === LOAD_SLICE - 1) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Whether a YAML file parses without error or duplicate key (js-yaml refuses both). */
function wellFormed(tree: LoadedTree, file: string): boolean {
  try {
    loadAll(tree.reader.read(file), undefined, { schema: CORE_SCHEMA });
    return true;
  } catch {
    return false;
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
function dirSubjects(tree: LoadedTree, plan: Plan, contextDirs: Set<string>, dir: string, objects: RenderedObject[]): Subject[] {
  const where = {
    dir,
    scope: plan.scopeOf(dir),
    env: plan.envOf(dir),
    target: plan.ownerOf(dir),
  };
  const fallback = () => tree.kustomization(dir)?.file ?? dir;
  if (contextDirs.has(dir))
    return objects.map((r) => ({
      ...where,
      object: r.object,
      file: r.file ?? r.generatedBy ?? fallback(),
      context: true,
      ...(r.file !== undefined ? { locate: locator(tree, r.file, r.object) } : {}),
    }));
  return objects.map((r) => {
    const written = r.file !== undefined && isYamlPath(r.file) && tree.reader.isFile(r.file);
    return {
      ...where,
      object: r.object,
      file: written ? r.file! : (r.generatedBy ?? fallback()),
      ...(written ? { locate: locator(tree, r.file!, r.object) } : {}),
    };
  });
}

/** Finds the object's document in its file when first asked (the file is parsed then, if it was not yet). */
function locator(tree: LoadedTree, file: string, object: Record<string, unknown>): () => number | undefined {
  let located: { index?: number } | undefined;
  return () => (located ??= { index: locateDocument(tree, file, object) }).index;
}

/** Objects in YAML files that no checked kustomization reads: checked as written. */
function plainManifests(tree: LoadedTree, plan: Plan, checkedDirs: string[]): Subject[] {
  const covered = new Set<string>();
  for (const d of checkedDirs) for (const k of tree.closure(d)) for (const f of tree.kustomization(k)?.files ?? []) covered.add(f);
  const out: Subject[] = [];
  for (const path of plan.files) {
    if (covered.has(path) || plan.isConfig(path)) continue;
    out.push(
      ...writtenSubjects(tree, path, {
        scope: plan.scopeOf(path),
        env: plan.envOf(path),
        target: plan.ownerOf(path),
      }),
    );
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

/**
 * What only a tree of our layout can be checked for: image tags at the blueprints' keys (in the
 * targeted components' values), drift of the derived files and whether the tree would come up
 * (both read the whole tree, as derive does: behind the cache, caches.ts).
 */
async function layoutChecks(tree: LoadedTree, plan: Plan, req: ValidateRequest): Promise<Finding[]> {
  if (req.layout !== 'gitops' || !plan.model) return [];
  const images = checkImageValues(tree, plan.model, req.targets);
  const wholeTree = await cachedLayoutChecks(req.cacheDir, tree, req.targets, (files) => {
    const model = layoutModel(files.reader);
    return [...checkDrift(files, model, req.targets), ...checkDeployability(files.reader, model)];
  });
  return [...images, ...wholeTree];
}
