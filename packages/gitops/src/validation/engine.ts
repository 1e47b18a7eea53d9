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
 *   7 report      report.ts               findings for people (grouped by file) and machines (JSON, version 1)
 *
 * plan.ts decides beforehand what a run covers (layout mode: components and
 * environments of gitops/; any mode: every kustomization and manifest).
 */
import { diskReader, FileReader } from './file-reader';
import { Plan, planAny, planLayout } from './plan';
import { sortFindings } from './report';
import { LoadedTree } from './stages/1-load';
import { defaultConcurrency, dirsToRender, renderDirs, RenderOutput } from './stages/2-render';
import { SchemaRegistry } from './stages/3-identify';
import { checkSchemas } from './stages/4-schema';
import { checkReferences } from './stages/5-references';
import { checkPolicy } from './stages/6-policy';
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
  const plan = req.layout === 'gitops' ? planLayout(tree, req) : planAny(tree, req);
  // kustomize renders in child processes while this process parses the rest of the files.
  const [rendered] = await Promise.all([
    renderDirs(tree, dirsToRender(tree, plan.renderRequests), {
      kubectl: req.kubectl ?? 'kubectl',
      concurrency: req.concurrency ?? defaultConcurrency(),
      groupOf: plan.groupOf,
    }),
    loadFiles(tree, plan.files),
  ]);
  const renderedByDir = renderedSubjects(tree, rendered, plan);
  const subjects = [...renderedByDir.values()].flat().concat(plainManifests(tree, plan, rendered));

  const registry = new SchemaRegistry();
  registry.loadCrds(tree, plan.crdsDir);
  const schema = await checkSchemas(subjects, registry, tree, plan.crdsHint);
  const findings: Finding[] = [
    ...plan.findings,
    ...tree.findings,
    ...rendered.findings,
    ...schema.findings,
    ...checkReferences(subjects, tree, plan.references),
    ...checkPolicy(subjects, tree, { policyOf: plan.policyOf, renderedByDir }),
  ];
  return {
    version: 1,
    findings: sortFindings(dedupe(findings.map((f) => (f.target || !req.targets.length ? f : { ...f, target: plan.ownerOf(f.file) })))),
    stats: {
      targets: req.targets.length,
      files: tree.fileCount,
      renders: rendered.renders,
      documents: subjects.length,
      schemaChecked: schema.checked,
      unchecked: schema.unchecked,
      durationMs: Date.now() - started,
    },
  };
}

/** Parses every planned file, yielding to the event loop now and then so running kustomize processes are served. */
async function loadFiles(tree: LoadedTree, files: string[]): Promise<void> {
  for (let i = 0; i < files.length; i++) {
    tree.file(files[i]);
    if (i % LOAD_SLICE === LOAD_SLICE - 1) await new Promise((resolve) => setImmediate(resolve));
  }
}

const LOAD_SLICE = 200;

function renderedSubjects(tree: LoadedTree, rendered: RenderOutput, plan: Plan): Map<string, Subject[]> {
  const byDir = new Map<string, Subject[]>();
  for (const [dir, objects] of rendered.objects) {
    const fallback = tree.kustomization(dir)?.file ?? dir;
    const where = { dir, scope: plan.scopeOf(dir), env: plan.envOf(dir), target: plan.ownerOf(dir) };
    byDir.set(
      dir,
      objects.map((r) => {
        const written = r.file !== undefined && tree.file(r.file) !== undefined;
        return {
          ...where,
          object: r.object,
          file: written ? r.file! : r.generatedBy ?? fallback,
          documentIndex: written ? locateDocument(tree, r.file!, r.object) : undefined,
        };
      }),
    );
  }
  return byDir;
}

/** Objects in YAML files that no rendered kustomization reads: checked as written. */
function plainManifests(tree: LoadedTree, plan: Plan, rendered: RenderOutput): Subject[] {
  const covered = new Set<string>();
  const seen = new Set<string>();
  for (const dir of [...rendered.objects.keys(), ...rendered.failed]) {
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
