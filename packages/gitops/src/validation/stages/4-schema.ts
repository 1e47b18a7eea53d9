/**
 * Stage 4, schema: each object against the schema of its apiVersion/kind.
 * The kinds this plugin generates are strict (an unknown field such as
 * `spec.valuez` is an error); other known kinds report unknown fields as
 * warnings. CEL rules the packages drop are enforced here (HelmRelease:
 * exactly one of spec.chart / spec.chartRef). Kinds without a schema are
 * reported as unchecked, never skipped silently.
 */
import { Finding } from '../types';
import { LoadedTree } from './1-load';
import { SchemaRegistry } from './3-identify';
import { trackFields } from './field-tracker';
import { deprecationOf } from './6-policy';
import { dotted, groupOf, lineIn, pointerToPath, resourceName, shortName, Subject } from './subject';

/** group/Kind of what the generators write: typos in these must not pass. */
export const STRICT_KINDS = new Set([
  'helm.toolkit.fluxcd.io/HelmRelease',
  'source.toolkit.fluxcd.io/HelmRepository',
  'source.toolkit.fluxcd.io/OCIRepository',
  'source.toolkit.fluxcd.io/GitRepository',
  'kustomize.toolkit.fluxcd.io/Kustomization',
  'argoproj.io/Application',
  'argoproj.io/AppProject',
  '/Namespace',
  '/ConfigMap',
]);

export interface SchemaOutcome {
  findings: Finding[];
  checked: number;
  unchecked: number;
}

export async function checkSchemas(subjects: Subject[], registry: SchemaRegistry, tree: LoadedTree, crdsHint: string): Promise<SchemaOutcome> {
  const out: SchemaOutcome = { findings: [], checked: 0, unchecked: 0 };
  for (const s of subjects) {
    const apiVersion = String(s.object.apiVersion);
    const kind = String(s.object.kind);
    const schema = await registry.lookup(apiVersion, kind);
    if (!schema) {
      if (deprecationOf(apiVersion, kind)) continue; // stage 6 names the replacement
      out.unchecked++;
      out.findings.push(finding(tree, s, [], 'schema-unchecked', 'warning',
        `${apiVersion} ${kind} '${shortName(s.object)}' has no known schema, so it was not schema-checked.`,
        `Add the CustomResourceDefinition of ${kind} to ${crdsHint} to check it.`));
      continue;
    }
    out.checked++;
    const tracker = trackFields(s.object);
    const errors = schema.validate(tracker.proxy);
    const seen = new Set<string>();
    for (const e of errors) {
      if (seen.has(e.instancePath) || seen.size >= 5) continue;
      seen.add(e.instancePath);
      const path = pointerToPath(e.instancePath);
      out.findings.push(finding(tree, s, path, 'schema-invalid', 'error',
        `${kind} '${shortName(s.object)}': ${path.length ? dotted(path) : 'the object'} ${e.message}.`,
        `Fix the value so it matches the ${apiVersion} ${kind} schema (${schema.source}).`));
    }
    const strict = STRICT_KINDS.has(`${groupOf(apiVersion)}/${kind}`);
    for (const path of tracker.unknownFields()) {
      if (schema.declaredFields?.has(String(path[path.length - 1]))) continue;
      out.findings.push(finding(tree, s, path, 'schema-unknown-field', strict ? 'error' : 'warning',
        `${kind} '${shortName(s.object)}' has unknown field '${dotted(path)}'.`,
        `${apiVersion} ${kind} does not define '${String(path[path.length - 1])}' there; check the spelling or remove it.`));
    }
    out.findings.push(...checkHelmReleaseChart(tree, s));
  }
  return out;
}

/** The HelmRelease CEL rule the schema package drops: exactly one of spec.chart / spec.chartRef. */
export function checkHelmReleaseChart(tree: LoadedTree, s: Subject): Finding[] {
  if (s.object.kind !== 'HelmRelease' || groupOf(String(s.object.apiVersion)) !== 'helm.toolkit.fluxcd.io') return [];
  const spec = (s.object.spec ?? {}) as Record<string, unknown>;
  const has = ['chart', 'chartRef'].filter((k) => spec[k] !== undefined && spec[k] !== null);
  if (has.length === 1) return [];
  const both = has.length === 2;
  return [finding(tree, s, both ? ['spec', 'chartRef'] : ['spec'], 'helmrelease-chart-xor', 'error',
    `HelmRelease '${shortName(s.object)}' sets ${both ? 'both spec.chart and spec.chartRef' : 'neither spec.chart nor spec.chartRef'}; exactly one is required.`,
    'Use spec.chart (HelmRepository) or spec.chartRef (OCIRepository / HelmChart), not both.')];
}

function finding(tree: LoadedTree, s: Subject, path: (string | number)[], rule: string, severity: Finding['severity'], message: string, hint: string): Finding {
  return { target: s.target ?? '', file: s.file, line: lineIn(tree, s, path), rule, severity, message, hint, resource: resourceName(s.object) };
}
