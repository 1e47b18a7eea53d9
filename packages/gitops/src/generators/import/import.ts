/**
 * `nx g @mlops/gitops:import <path>`: normalize the options, read the source (Ansible, helmfile
 * or a values folder; formats/), plan the components (plan.ts), write each one through the
 * component generator's own normalize, refusals and writer, with the source's values in each
 * overlay, reconcile the derived files, format, and report what became of every release.
 *
 * Takeover, not reinstall: every HelmRelease keeps the release name and namespaces the push
 * deployment used (docs/import.md says what each engine does on its first reconcile). Importing
 * the same source again changes nothing.
 */
import { logger, Tree } from '@nx/devkit';
import { formatChangedFiles } from '../shared/format';
import { posix } from 'node:path';
import { Blueprint, catalogFor, loadBlueprint, loadCatalog } from '../../model/catalog';
import { findLayer, Layer } from '../../model/platform';
import { GitopsInputError, IMPORT_FORMATS, ImportFormat, oneOf } from '../../model/vocabulary';
import { normalizeOptions as normalizeComponent } from '../component/normalize';
import { writeComponent } from '../component/write';
import { parseList, pickEnvironments } from '../shared/options';
import { reconcileTree } from '../shared/reconcile';
import { readWorkspace, Workspace } from '../shared/workspace';
import { ValuesDirOptions } from './formats/values-dir';
import { planImport } from './plan';
import { detectFormat, readSource, sourceFiles } from './read-source';
import { importReport } from './report';
import { ImportGeneratorSchema } from './schema';

export interface NormalizedImportOptions {
  path: string;
  format: ImportFormat;
  workspace: Workspace;
  catalog: Blueprint[];
  environments: string[];
  defaultLayer?: Layer;
  valuesDir: ValuesDirOptions;
}

export async function importGenerator(tree: Tree, schema: ImportGeneratorSchema): Promise<void> {
  const o = normalizeOptions(tree, schema);
  const parsed = readSource(sourceFiles(tree), o.path, o.format, o.valuesDir);
  const plan = planImport({
    items: parsed.items,
    workspace: o.workspace,
    catalog: o.catalog,
    environments: o.environments,
    defaultLayer: o.defaultLayer,
  });
  const skipped = [...parsed.skipped, ...plan.skipped];
  for (const p of plan.components) writeComponent(tree, normalizeComponent(tree, p.schema, p.source));
  reconcileTree(tree, { since: o.workspace });
  if (!schema.skipFormat) await formatChangedFiles(tree);
  for (const line of importReport(o.path, parsed, plan.components, skipped)) logger.info(line);
}

export default importGenerator;

/** The source path inside the workspace: the Nx Tree reads nothing else, and a relative path is what a repository can keep. */
function sourcePath(tree: Tree, path: string): string {
  const normalized = posix.normalize(String(path ?? '').replace(/\\/g, '/')).replace(/\/+$/, '');
  if (!path || posix.isAbsolute(normalized) || normalized.startsWith('..')) {
    throw new GitopsInputError(
      `Source '${path}' must be a path inside the workspace, relative to its root (copy the playbook, helmfile or values folder into the repository first).`,
    );
  }
  if (!tree.exists(normalized)) throw new GitopsInputError(`Source '${normalized}' does not exist in the workspace.`);
  return normalized;
}

export function normalizeOptions(tree: Tree, schema: ImportGeneratorSchema): NormalizedImportOptions {
  const path = sourcePath(tree, schema.path);
  const files = sourceFiles(tree);
  const format = schema.format !== undefined ? oneOf('Format', schema.format, IMPORT_FORMATS) : detectFormat(files, path);
  const workspace = readWorkspace(tree);
  const environments = pickEnvironments(workspace.environments, parseList(schema.environments)).map((e) => e.name);
  const defaultLayer = schema.defaultLayer !== undefined ? findLayer(workspace.platform, schema.defaultLayer) : undefined;
  const catalogFiles = catalogFor(tree);
  const valuesDirOnly = (['release', 'chart', 'repo', 'chartVersion', 'namespace'] as const).filter((k) => schema[k] !== undefined);
  if (format !== 'values-dir' && valuesDirOnly.length) {
    throw new GitopsInputError(
      `--${valuesDirOnly.join(', --')} ${valuesDirOnly.length === 1 ? 'is' : 'are'} for --format values-dir; a ${format} source names its releases' charts itself.`,
    );
  }
  const valuesDir: ValuesDirOptions = {
    release: schema.release,
    environments: workspace.environments.map((e) => e.name),
    chartFor: (release) => {
      const bp = loadBlueprint(catalogFiles, release);
      const repository = schema.repo ?? bp?.chart?.repository;
      const name = schema.chart ?? bp?.chart?.name;
      if (!repository || !name) {
        throw new GitopsInputError(
          `Release '${release}' is not in the catalog (generators/); give --chart and --repo (and --chart-version), as the component generator takes them.`,
        );
      }
      const layer = bp ? findLayer(workspace.platform, bp.layer) : defaultLayer;
      return {
        chart: { repository, name },
        version: schema.chartVersion ?? bp?.chart?.version,
        namespace: schema.namespace ?? bp?.namespace ?? layer?.namespace,
      };
    },
  };
  return { path, format, workspace, catalog: loadCatalog(catalogFiles), environments, defaultLayer, valuesDir };
}
