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
import { dotted, groupOf, placeIn, pointerToPath, resourceName, shortName, Subject } from './subject';

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

/**
 * What the schema stage says about one object, independent of where it is
 * written: a pure function of the object and the validator (schema packages,
 * user CRDs, this code), so the cache can keep it (caches.ts).
 * Positions are resolved from `path` when the verdict is reported.
 */
export interface SchemaVerdict {
  status: 'checked' | 'unchecked' | 'skipped';
  findings: (Omit<Finding, 'target' | 'file' | 'line'> & { path: (string | number)[] })[];
}

/**
 * Places each subject's verdict at its file and line; `verdictsOf` reaches
 * the verdicts (schemaChecker, or a cache around it: they depend on the
 * object only).
 */
export async function checkSchemas(
  subjects: Subject[],
  tree: LoadedTree,
  verdictsOf: (objects: Record<string, unknown>[]) => Promise<Map<Record<string, unknown>, SchemaVerdict>>,
): Promise<SchemaOutcome> {
  const out: SchemaOutcome = { findings: [], checked: 0, unchecked: 0 };
  const verdicts = await verdictsOf(subjects.map((s) => s.object));
  for (const s of subjects) {
    const verdict = verdicts.get(s.object) ?? { status: 'skipped', findings: [] };
    if (verdict.status === 'checked') out.checked++;
    if (verdict.status === 'unchecked') out.unchecked++;
    for (const { path, ...f } of verdict.findings) out.findings.push({ ...f, target: s.target ?? '', ...placeIn(tree, s, path) });
  }
  return out;
}

/** The verdicts of objects against the registry's schemas (a pure function of the object and the validator). */
export function schemaChecker(registry: SchemaRegistry, crdsHint: string): (objects: Record<string, unknown>[]) => Promise<Map<Record<string, unknown>, SchemaVerdict>> {
  return async (objects) => {
    const verdicts = new Map<Record<string, unknown>, SchemaVerdict>();
    for (const o of objects) if (!verdicts.has(o)) verdicts.set(o, await schemaVerdict(o, registry, crdsHint));
    return verdicts;
  };
}

async function schemaVerdict(object: Record<string, unknown>, registry: SchemaRegistry, crdsHint: string): Promise<SchemaVerdict> {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const schema = await registry.lookup(apiVersion, kind);
  if (!schema) {
    if (deprecationOf(apiVersion, kind)) return { status: 'skipped', findings: [] }; // stage 6 names the replacement
    return {
      status: 'unchecked',
      findings: [verdictFinding(object, {
        path: [], rule: 'schema-unchecked', severity: 'warning',
        message: `${apiVersion} ${kind} '${shortName(object)}' has no known schema, so it was not schema-checked.`,
        hint: `Add the CustomResourceDefinition of ${kind} to ${crdsHint} to check it.`,
      })],
    };
  }
  const findings: SchemaVerdict['findings'] = [];
  const tracker = trackFields(object);
  const errors = schema.validate(tracker.proxy);
  const seen = new Set<string>();
  for (const e of errors) {
    if (seen.has(e.instancePath) || seen.size >= 5) continue;
    seen.add(e.instancePath);
    const path = pointerToPath(e.instancePath);
    findings.push(verdictFinding(object, {
      path, rule: 'schema-invalid', severity: 'error',
      message: `${kind} '${shortName(object)}': ${path.length ? dotted(path) : 'the object'} ${e.message}.`,
      hint: `Fix the value so it matches the ${apiVersion} ${kind} schema (${schema.source}).`,
    }));
  }
  const strict = STRICT_KINDS.has(`${groupOf(apiVersion)}/${kind}`);
  for (const path of tracker.unknownFields()) {
    if (schema.declares?.(path)) continue;
    findings.push(verdictFinding(object, {
      path, rule: 'schema-unknown-field', severity: strict ? 'error' : 'warning',
      message: `${kind} '${shortName(object)}' has unknown field '${dotted(path)}'.`,
      hint: `${apiVersion} ${kind} does not define '${String(path[path.length - 1])}' there; check the spelling or remove it.`,
    }));
  }
  findings.push(...helmReleaseChartVerdict(object));
  return { status: 'checked', findings };
}

type VerdictFinding = SchemaVerdict['findings'][number];

function verdictFinding(object: Record<string, unknown>, finding: Omit<VerdictFinding, 'resource'>): VerdictFinding {
  return { ...finding, resource: resourceName(object) };
}

/** The HelmRelease CEL rule the schema package drops: exactly one of spec.chart / spec.chartRef. */
function helmReleaseChartVerdict(object: Record<string, unknown>): SchemaVerdict['findings'] {
  if (object.kind !== 'HelmRelease' || groupOf(String(object.apiVersion)) !== 'helm.toolkit.fluxcd.io') return [];
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  const has = ['chart', 'chartRef'].filter((k) => spec[k] !== undefined && spec[k] !== null);
  if (has.length === 1) return [];
  const both = has.length === 2;
  return [verdictFinding(object, {
    path: both ? ['spec', 'chartRef'] : ['spec'], rule: 'helmrelease-chart-xor', severity: 'error',
    message: `HelmRelease '${shortName(object)}' sets ${both ? 'both spec.chart and spec.chartRef' : 'neither spec.chart nor spec.chartRef'}; exactly one is required.`,
    hint: 'Use spec.chart (HelmRepository) or spec.chartRef (OCIRepository / HelmChart), not both.',
  })];
}
