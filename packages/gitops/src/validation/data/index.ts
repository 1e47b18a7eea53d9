/**
 * The validation rules kept as data (the YAML files beside this module, each with its
 * sources): deprecated and removed apiVersions, the Flux CRD rules the schema packages
 * drop, and enum values ecosystem projects add to other projects' CRDs. Read once per process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const DATA_FILES = ['deprecated-apis.yaml', 'flux-crd-rules.yaml', 'crd-extensions.yaml'] as const;

/** A data file's path (part of the validator version the cached schema verdicts are kept under: caches.ts). */
export function dataFile(name: (typeof DATA_FILES)[number]): string {
  return join(__dirname, name);
}

const cache = new Map<string, unknown>();

function load<T>(name: (typeof DATA_FILES)[number]): T {
  if (!cache.has(name)) cache.set(name, parse(readFileSync(dataFile(name), 'utf8')));
  return cache.get(name) as T;
}

export interface ApiDeprecation {
  apiVersion: string;
  kinds?: string[];
  status: 'removed' | 'deprecated';
  use: string;
  /** What else the hint says. */
  note?: string;
  /** Where the fact comes from (a line of the file's `sources`). */
  source: string;
}

/** The entry for an apiVersion and kind, if it is deprecated or removed. */
export function deprecationOf(apiVersion: string, kind: string): ApiDeprecation | undefined {
  const table = load<{
    sources: Record<string, string>;
    apis: ApiDeprecation[];
  }>('deprecated-apis.yaml');
  const hit = table.apis.find((d) => d.apiVersion === apiVersion && (!d.kinds || d.kinds.includes(kind)));
  return hit && { ...hit, source: table.sources[hit.source] ?? hit.source };
}

/** A CRD rule for objects of one group/version/Kind, evaluated with CEL at a field path. */
export interface CrdRule {
  /** `group/version/Kind`. */
  kind: string;
  /** Dotted path of the value bound to `self`. */
  at: string[];
  rule: string;
  message: string;
  /** The finding's rule id: `schema-rule`, unless the rule has its own. */
  id: 'schema-rule' | 'helmrelease-chart-xor';
  /** Fields below `at` the finding points at when written (the first one present). */
  pointAt: string[];
  source: string;
}

interface FluxRulesFile {
  sources: Record<string, string>;
  durations: { withHours: string; withoutHours: string };
  durationFields: {
    kind: string;
    source: string;
    withHours?: string[];
    withoutHours?: string[];
  }[];
  rules: {
    kind: string;
    at: string;
    rule: string;
    message: string;
    id?: 'helmrelease-chart-xor';
    pointAt?: string[];
    source: string;
  }[];
}

let crdRules: CrdRule[] | undefined;

/** Every Flux CRD rule: the duration patterns (as CEL `matches`) and the CEL rules. */
export function fluxCrdRules(): CrdRule[] {
  if (crdRules) return crdRules;
  const file = load<FluxRulesFile>('flux-crd-rules.yaml');
  const source = (name: string) => file.sources[name] ?? name;
  const durations = file.durationFields.flatMap((d) =>
    (['withHours', 'withoutHours'] as const).flatMap((which) =>
      (d[which] ?? []).map((at): CrdRule => ({
        kind: d.kind,
        at: at.split('.'),
        rule: `self.matches(${JSON.stringify(file.durations[which])})`,
        message: `not a Flux duration such as 30s, 5m or 1h30m (units ${which === 'withHours' ? 'ms, s, m, h' : 'ms, s, m'}; pattern ${file.durations[which]})`,
        id: 'schema-rule',
        pointAt: [],
        source: source(d.source),
      })),
    ),
  );
  const cel = file.rules.map((r): CrdRule => ({
    ...r,
    at: r.at.split('.'),
    id: r.id ?? 'schema-rule',
    pointAt: r.pointAt ?? [],
    source: source(r.source),
  }));
  return (crdRules = [...durations, ...cel]);
}

export interface EnumExtension {
  kind: string;
  /** Path with `[]` for list items, e.g. `spec.eventSources[].kind`. */
  at: string;
  values: string[];
  source: string;
}

export function enumExtensions(): EnumExtension[] {
  return load<{ extensions: EnumExtension[] }>('crd-extensions.yaml').extensions;
}
