/**
 * Stage 4, schema: each object against the schema of its apiVersion/kind.
 * The kinds this plugin generates are strict (an unknown field such as
 * `spec.valuez` is an error); other known kinds report unknown fields as
 * warnings. The Flux CRD rules the packages drop (duration patterns, CEL
 * rules) are evaluated here with CEL (crd-rules.ts). Kinds without a schema
 * are reported as unchecked, never skipped silently. Not judged: values
 * unknowable offline (SOPS-encrypted, substituted from a Secret), enum values
 * ecosystem projects add (data/crd-extensions.yaml), base64 wrapped over lines.
 */
import { deprecationOf, enumExtensions } from '../data/index';
import { Finding } from '../types';
import { LoadedTree } from './1-load';
import { SchemaError, SchemaRegistry } from './3-identify';
import { crdRuleViolations } from './crd-rules';
import { trackFields } from './field-tracker';
import { isEncryptedValue, isOpaquePointer, isSopsDocument, valueAt } from './opaque-values';
import { dotted, placeIn, pointerToPath, Subject } from './subject';
import { groupOf, metadataOf, resourceName, shortName } from '../../model/kubernetes';

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
 * written: a pure function of the object, its opaque pointers and the validator
 * (schema packages, user CRDs, rule data, this code), so the cache can keep it (caches.ts).
 * Positions are resolved from `path` when the verdict is reported.
 */
export interface SchemaVerdict {
  status: 'checked' | 'unchecked' | 'skipped';
  findings: (Omit<Finding, 'target' | 'file' | 'line'> & { path: (string | number)[] })[];
}

/**
 * Places each subject's verdict at its file and line; `verdictsOf` reaches
 * the verdicts (schemaChecker, or a cache around it: they depend on the
 * object and its opaque pointers only).
 */
export async function checkSchemas(
  subjects: Subject[],
  tree: LoadedTree,
  verdictsOf: (subjects: VerdictInput[]) => Promise<Map<VerdictInput, SchemaVerdict>>,
): Promise<SchemaOutcome> {
  const out: SchemaOutcome = { findings: [], checked: 0, unchecked: 0 };
  const verdicts = await verdictsOf(subjects);
  const reported = new Set<string>();
  for (const s of subjects) {
    const verdict = verdicts.get(s) ?? { status: 'skipped', findings: [] };
    if (verdict.status === 'checked') out.checked++;
    if (verdict.status === 'unchecked') out.unchecked++;
    for (const { path, ...f } of verdict.findings) {
      const at = placeIn(tree, s, path);
      // One problem once: a base rendered into several namespaces has it at the same place.
      const key = [s.target, at.file, at.line, f.rule, s.object.kind, metadataOf(s.object).name, dotted(path)].join('\0');
      if (reported.has(key)) continue;
      reported.add(key);
      out.findings.push({ ...f, target: s.target ?? '', ...at });
    }
  }
  return out;
}

/**
 * What a verdict is reached from: the object, and the pointers whose values are unknowable
 * offline (substituted by a Flux post-build from a Secret, kept literal: stages/post-build.ts).
 */
export type VerdictInput = Pick<Subject, 'object' | 'opaque'>;

/** The verdicts of objects against the registry's schemas (a pure function of the input and the validator). */
export function schemaChecker(registry: SchemaRegistry, crdsHint: string): (inputs: VerdictInput[]) => Promise<Map<VerdictInput, SchemaVerdict>> {
  return async (inputs) => {
    const verdicts = new Map<VerdictInput, SchemaVerdict>();
    for (const i of inputs) if (!verdicts.has(i)) verdicts.set(i, await schemaVerdict(i.object, registry, crdsHint, i.opaque));
    return verdicts;
  };
}

async function schemaVerdict(
  object: Record<string, unknown>,
  registry: SchemaRegistry,
  crdsHint: string,
  opaque: readonly string[] = [],
): Promise<SchemaVerdict> {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const schema = await registry.lookup(apiVersion, kind);
  if (!schema) {
    if (deprecationOf(apiVersion, kind)?.status === 'removed') return { status: 'skipped', findings: [] }; // stage 6 names the replacement
    return {
      status: 'unchecked',
      findings: [
        verdictFinding(object, {
          path: [],
          rule: 'schema-unchecked',
          severity: 'warning',
          message: `${apiVersion} ${kind} '${shortName(object)}' has no known schema, so it was not schema-checked.`,
          hint: `Add the CustomResourceDefinition of ${kind} to ${crdsHint} to check it.`,
        }),
      ],
    };
  }
  const findings: SchemaVerdict['findings'] = [];
  const tracker = trackFields(object);
  const errors = schema.validate(tracker.proxy).filter((e) => !acceptable(object, e, opaque));
  const seen = new Set<string>();
  for (const e of errors) {
    if (seen.has(e.instancePath) || seen.size >= 5) continue;
    seen.add(e.instancePath);
    const path = pointerToPath(e.instancePath);
    findings.push(
      verdictFinding(object, {
        path,
        rule: 'schema-invalid',
        severity: 'error',
        message: `${kind} '${shortName(object)}': ${path.length ? dotted(path) : 'the object'} ${describe(e, valueAt(object, path))}.`,
        hint: `Fix the value so it matches the ${apiVersion} ${kind} schema (${schema.source}).`,
      }),
    );
  }
  const strict = STRICT_KINDS.has(`${groupOf(apiVersion)}/${kind}`);
  const sops = isSopsDocument(object);
  for (const path of tracker.unknownFields()) {
    if (schema.declares?.(path) || (sops && path.length === 1 && path[0] === 'sops')) continue;
    findings.push(
      verdictFinding(object, {
        path,
        rule: 'schema-unknown-field',
        severity: strict ? 'error' : 'warning',
        message: `${kind} '${shortName(object)}' has unknown field '${dotted(path)}'.`,
        hint: `${apiVersion} ${kind} does not define '${String(path[path.length - 1])}' there; check the spelling or remove it.`,
      }),
    );
  }
  findings.push(...crdRuleFindings(object, opaque));
  return { status: 'checked', findings };
}

/**
 * Errors that are not mistakes: a value unknowable offline (SOPS-encrypted, or substituted
 * from a Secret by Flux), an enum value an ecosystem project adds to the CRD, and base64
 * wrapped over lines (the API server's decoder skips line breaks; kustomize's secretGenerator
 * writes it so).
 */
function acceptable(object: Record<string, unknown>, e: SchemaError, opaque: readonly string[]): boolean {
  const value = valueAt(object, pointerToPath(e.instancePath));
  if (isEncryptedValue(value) || isOpaquePointer(e.instancePath, opaque)) return true;
  if (e.keyword === 'format' && e.params?.format === 'byte' && typeof value === 'string') return BASE64.test(value.replace(/[\r\n]/g, ''));
  if (e.keyword === 'enum') return extendedEnum(object, e.instancePath).includes(value as string);
  return false;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Values data/crd-extensions.yaml adds to the enum at a pointer (list indexes match `[]`). */
function extendedEnum(object: Record<string, unknown>, pointer: string): string[] {
  const kind = `${object.apiVersion}/${object.kind}`;
  const at = pointerToPath(pointer)
    .map((p) => (typeof p === 'number' ? '[]' : `.${p}`))
    .join('')
    .replace(/^\./, '');
  return enumExtensions()
    .filter((x) => x.kind === kind && x.at === at)
    .flatMap((x) => x.values);
}

/** An error as people read it: the value found, and for an enum the values allowed. */
function describe(e: SchemaError, value: unknown): string {
  const allowed = e.params?.allowedValues;
  if (e.keyword === 'enum' && Array.isArray(allowed))
    return `is ${JSON.stringify(value)}; allowed values: ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  const scalar = value !== undefined && (value === null || typeof value !== 'object');
  return scalar ? `is ${JSON.stringify(value)}; ${e.message}` : e.message;
}

/** The Flux CRD rules the schema packages drop, evaluated with CEL (data/flux-crd-rules.yaml). */
function crdRuleFindings(object: Record<string, unknown>, opaque: readonly string[]): SchemaVerdict['findings'] {
  return crdRuleViolations(object)
    .filter((v) => !isOpaquePointer('/' + v.rule.at.join('/'), opaque) && !isEncryptedValue(v.value))
    .map((v) =>
      verdictFinding(object, {
        path: v.path,
        rule: v.rule.id,
        severity: 'error',
        message: `${object.kind} '${shortName(object)}': ${typeof v.value === 'string' ? `${dotted(v.rule.at)} is ${JSON.stringify(v.value)}: ${v.rule.message}` : `${v.rule.message} (${dotted(v.rule.at)})`}.`,
        hint: `The ${object.apiVersion} ${object.kind} CRD requires it (rule \`${v.rule.rule}\`, ${v.rule.source}).`,
      }),
    );
}

type VerdictFinding = SchemaVerdict['findings'][number];

function verdictFinding(object: Record<string, unknown>, finding: Omit<VerdictFinding, 'resource'>): VerdictFinding {
  return { ...finding, resource: resourceName(object) };
}
