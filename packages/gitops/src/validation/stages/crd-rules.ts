/**
 * The Flux CRD rules the schema packages drop (validation/data/flux-crd-rules.yaml),
 * evaluated with a CEL library as the API server evaluates x-kubernetes-validations:
 * `self` is the value at the rule's path; a rule whose field is absent does not apply.
 */
import type * as Cel from '@bufbuild/cel';
import { CrdRule, fluxCrdRules } from '../data/index';
import { valueAt } from './opaque-values';

export interface RuleViolation {
  rule: CrdRule;
  /** The field the finding points at. */
  path: string[];
  /** The value checked, for messages. */
  value: unknown;
}

type Program = (ctx: { self: unknown }) => unknown;

const programs = new Map<string, Program>();

/**
 * The CEL library and its environment, loaded on the first rule evaluated: an affected run whose
 * changed objects are all known to the schema cache evaluates none, and loading costs about 70 ms.
 */
let cel: { lib: typeof Cel; env: ReturnType<typeof Cel.celEnv> } | undefined;
function celLibrary(): NonNullable<typeof cel> {
  if (!cel) {
    const lib = require('@bufbuild/cel') as typeof Cel;
    cel = { lib, env: lib.celEnv() };
  }
  return cel;
}

function program(rule: string): Program {
  let p = programs.get(rule);
  if (!p) {
    const { lib, env } = celLibrary();
    p = lib.plan(env, lib.parse(rule)) as unknown as Program;
    programs.set(rule, p);
  }
  return p;
}

const results = new Map<string, unknown>();

/**
 * A rule's result for a value; remembered for scalar values, which repeat across a tree
 * (every `interval: 10m`), since compiling a `matches` pattern costs more than the rest.
 */
function evaluate(rule: string, value: unknown): unknown {
  if (typeof value === 'object') return program(rule)({ self: value });
  const key = `${rule}\0${typeof value}\0${String(value)}`;
  if (!results.has(key)) results.set(key, program(rule)({ self: value }));
  return results.get(key);
}

let byKind: Map<string, CrdRule[]> | undefined;

function rulesOf(apiVersion: string, kind: string): CrdRule[] {
  if (!byKind) {
    byKind = new Map();
    for (const r of fluxCrdRules()) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  }
  return byKind.get(`${apiVersion}/${kind}`) ?? [];
}

/** The rules an object breaks. A rule the object's shape makes fail to evaluate is left to the schema errors. */
export function crdRuleViolations(object: Record<string, unknown>): RuleViolation[] {
  const out: RuleViolation[] = [];
  for (const rule of rulesOf(String(object.apiVersion), String(object.kind))) {
    const value = valueAt(object, rule.at);
    if (value === undefined || value === null) continue;
    const result = evaluate(rule.rule, value);
    if (result !== false || celLibrary().lib.isCelError(result)) continue;
    const written = rule.pointAt.find((f) => value && typeof value === 'object' && f in (value as object));
    out.push({ rule, path: written ? [...rule.at, written] : rule.at, value });
  }
  return out;
}
