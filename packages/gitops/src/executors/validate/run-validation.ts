/**
 * What the single and the batch executor share: from options and project roots
 * to one engine request, and from the report to one task's output.
 */
import type { ExecutorContext } from '@nx/devkit';
import { Format, formatReport, hasErrors } from '../../validation/engine';
import type { Finding, ValidateRequest, ValidationReport } from '../../validation/types';
import { cacheDirFor } from '../../validation/caches';
import { ValidateExecutorSchema } from './schema';

export interface NormalizedValidateOptions {
  format: Format;
  kubectl?: string;
  exclude: string[];
}

export function normalizeOptions(options: ValidateExecutorSchema): NormalizedValidateOptions {
  return {
    format: options.format ?? 'human',
    ...(options.kubectl ? { kubectl: options.kubectl } : {}),
    exclude: options.exclude ?? [],
  };
}

/**
 * One engine request. Renders, schema verdicts and the tree model are cached in the workspace's
 * `node_modules/.cache/mlops-gitops` (MLOPS_GITOPS_RENDER_CACHE=off turns that off).
 */
export function validationRequest(
  workspaceRoot: string,
  targets: string[],
  options: NormalizedValidateOptions,
  env: NodeJS.ProcessEnv = process.env,
): ValidateRequest {
  const cache = cacheDirFor(workspaceRoot, env);
  return {
    root: workspaceRoot,
    targets,
    layout: 'gitops',
    ...(options.kubectl ? { kubectl: options.kubectl } : {}),
    ...(options.exclude.length ? { exclude: options.exclude } : {}),
    ...(cache ? { cacheDir: cache } : {}),
  };
}

export function projectRoot(context: Pick<ExecutorContext, 'projectsConfigurations' | 'projectGraph'>, project: string): string {
  const root = context.projectsConfigurations?.projects[project]?.root ?? context.projectGraph?.nodes[project]?.data.root;
  if (root === undefined) throw new Error(`Project '${project}' is not in the workspace; run 'nx show projects' to list them.`);
  return root;
}

/**
 * The findings of a batch report that belong to one of its targets; the stats stay those of the
 * whole run. A finding goes to the target it names; one naming no target of the batch goes to the
 * target whose folder holds its file, else to every target: none is dropped, so a target fails in
 * a batch exactly as it fails alone (where the executor prints the whole report).
 */
export function reportForTarget(report: ValidationReport, target: string, batchTargets: readonly string[]): ValidationReport {
  return { ...report, findings: report.findings.filter((f) => ownersOf(f, batchTargets).includes(target)) };
}

function ownersOf(finding: Finding, targets: readonly string[]): readonly string[] {
  if (targets.includes(finding.target)) return [finding.target];
  const holder = targets.filter((t) => finding.file === t || finding.file.startsWith(`${t}/`)).sort((a, b) => b.length - a.length)[0];
  return holder !== undefined ? [holder] : targets;
}

export function renderReport(report: ValidationReport, format: NormalizedValidateOptions['format']): string {
  return formatReport(report, format);
}

export function succeeded(report: ValidationReport): boolean {
  return !hasErrors(report);
}
