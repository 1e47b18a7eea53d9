/**
 * Stage 2b, post-build: what Flux's kustomize-controller does with a folder after
 * `kustomize build`, applied before any object is judged. For every Flux Kustomization
 * that deploys a folder of this repository (flux-sources.ts): its `spec.patches` (applied by
 * kustomize itself), then `spec.postBuild` substitution (`substitute`, and `substituteFrom`
 * ConfigMaps and Secrets found in the tree) with Flux's variable syntax. A parent's patches
 * reach a child Kustomization before the child deploys its own folder.
 *
 * Findings: a `${VAR}` that a post-build leaves unset (no value, no default) at the value
 * holding it; a `${VAR}` that no post-build substitutes (it reaches the cluster literally);
 * SOPS-encrypted data deployed by a Kustomization without `spec.decryption`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { Finding, Severity } from '../types';
import { isK8sObject, LoadedTree } from './1-load';
import { kustomizeError, runKustomize } from './2-render';
import { deployedFolder, isFluxKustomization, OwnSources } from './flux-sources';
import { isSopsDocument, sopsGenerated } from './opaque-values';
import { lineIn, pointerToPath, Subject, subjectsByDir } from './subject';
import { metadataOf } from '../../model/kubernetes';

export interface PostBuildOptions {
  own: OwnSources;
  kubectl: string;
  /** A `${VAR}` no post-build substitutes: info in any tree, a warning in the gitops layout. */
  literalSeverity: Severity;
}

export interface PostBuildOutput {
  /** The subjects as Flux applies them (one per deploying Kustomization when several deploy an object). */
  subjects: Subject[];
  findings: Finding[];
}

const SUBSTITUTE_DISABLED = 'kustomize.toolkit.fluxcd.io/substitute';

export async function applyPostBuild(subjects: Subject[], tree: LoadedTree, options: PostBuildOptions): Promise<PostBuildOutput> {
  const findings: Finding[] = [];
  const results = new Map<Subject, Subject[]>();
  const substituted = new Set<Subject>();
  for (const { ks, objects } of deployments(subjects, tree, options.own, (s) => results.get(s)?.[0] ?? s)) {
    const effective = results.get(ks)?.[0] ?? ks;
    const patched = await applyPatches(
      effective,
      objects.map((o) => o.object),
      tree,
      options.kubectl,
      findings,
    );
    const postBuild = specOf(effective.object).postBuild as Record<string, unknown> | undefined;
    const vars = postBuild ? variablesOf(effective, postBuild, subjects) : undefined;
    objects.forEach((o, i) => {
      let next: Subject = patched[i] === o.object ? o : { ...o, object: patched[i], opaque: [] };
      if (vars) {
        substituted.add(o);
        const result = substituteSubject(next, vars);
        next = result.subject;
        if (!o.context) findings.push(...result.unset.map((name) => unsetFinding(tree, o, effective, name)));
      }
      const list = results.get(o);
      if (list && list[0] !== o) list.push(next);
      else results.set(o, [next]);
    });
    if (!ks.context && !specOf(effective.object).decryption) findings.push(...undecrypted(tree, ks, objects));
  }
  for (const s of subjects) if (!s.context && !substituted.has(s)) findings.push(...literalFindings(tree, s, options.literalSeverity));
  return { subjects: subjects.flatMap((s) => results.get(s) ?? [s]), findings };
}

interface Deployment {
  ks: Subject;
  objects: Subject[];
}

/**
 * The Flux Kustomizations of this repository with the subjects each deploys, a parent before
 * the children it deploys: a child is read as its parent left it (`current`), since the
 * parent's patches may give it its sourceRef or postBuild. Yielded one at a time, so each
 * is read after everything before it was applied.
 */
function* deployments(subjects: Subject[], tree: LoadedTree, own: OwnSources, current: (s: Subject) => Subject): Generator<Deployment> {
  let gitRepositories: Subject[] | undefined;
  const repos = () => (gitRepositories ??= subjects.filter((s) => s.object.kind === 'GitRepository'));
  const objectsOf = new Map<string, Subject[]>();
  const byDir = subjectsByDir(subjects);
  const deployed = (ks: Subject): Subject[] | undefined => {
    const folder = deployedFolder(current(ks), own, repos);
    if (folder === undefined || folder.startsWith('..')) return undefined;
    if (!objectsOf.has(folder)) objectsOf.set(folder, objectsOfFolder(subjects, byDir, tree, folder));
    return objectsOf.get(folder)!.filter((o) => o !== ks);
  };
  const pending = new Set(subjects.filter((s) => isFluxKustomization(s.object)));
  for (let strict = true; pending.size > 0;) {
    const now = new Map([...pending].map((ks) => [ks, deployed(ks)]));
    const waiting = new Set([...now.values()].flatMap((objects) => objects ?? []));
    // Wait for a parent still to be applied (a loop of Kustomizations deploying each other waits for nobody).
    const ready = [...pending].filter((ks) => now.get(ks) !== undefined && (!strict || !waiting.has(ks)));
    if (ready.length === 0) {
      if (!strict) return;
      strict = false;
      continue;
    }
    for (const ks of ready) {
      pending.delete(ks);
      yield { ks, objects: deployed(ks)! };
    }
    strict = true;
  }
}

/**
 * What Flux builds from a folder: its kustomization's render (its objects, wherever the
 * engine rendered them), or, without one, every manifest below it (Flux generates a
 * kustomization listing them). `byDir` holds the rendered subjects per directory.
 */
function objectsOfFolder(subjects: Subject[], byDir: Map<string, Subject[]>, tree: LoadedTree, folder: string): Subject[] {
  const own = byDir.get(folder); // rendered as a directory (its kustomization need not be parsed again)
  if (own) return own;
  const inside = (p: string) => folder === '' || p === folder || p.startsWith(folder + '/');
  if (!tree.kustomization(folder)) return subjects.filter((s) => (s.dir !== undefined ? inside(s.dir) : inside(s.file)));
  const files = new Set(tree.closure(folder).flatMap((k) => tree.kustomization(k)?.files ?? []));
  return subjects.filter((s) => s.dir !== undefined && files.has(s.file));
}

function specOf(o: Record<string, unknown>): Record<string, unknown> {
  return o.spec && typeof o.spec === 'object' ? (o.spec as Record<string, unknown>) : {};
}

/** `spec.patches` of a Flux Kustomization applied by kustomize to what it deploys (objects in order). */
async function applyPatches(
  ks: Subject,
  objects: Record<string, unknown>[],
  tree: LoadedTree,
  kubectl: string,
  findings: Finding[],
): Promise<Record<string, unknown>[]> {
  const patches = specOf(ks.object).patches;
  if (!Array.isArray(patches) || patches.length === 0 || objects.length === 0) return objects;
  const work = mkdtempSync(join(tmpdir(), 'mlops-postbuild-'));
  try {
    writeFileSync(join(work, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    writeFileSync(
      join(work, 'kustomization.yaml'),
      stringify({
        resources: ['objects.yaml'],
        patches,
        sortOptions: { order: 'fifo' },
      }),
    );
    const result = await runKustomize(kubectl, work);
    const out = result.ok
      ? parseAllDocuments(result.stdout)
          .map((d) => d.toJS() as unknown)
          .filter(isK8sObject)
      : [];
    if (out.length === objects.length) return out;
    findings.push({
      target: ks.target ?? '',
      file: ks.file,
      line: lineIn(tree, ks, ['spec', 'patches']),
      rule: 'render-failed',
      severity: 'error',
      message: `spec.patches of Flux Kustomization '${metadataOf(ks.object).name}' cannot be applied: ${kustomizeError(result.stderr, tree.reader.root, work)}`,
      hint: 'Each patch needs a target (or the name and kind of the object it patches); kustomize-controller applies them after the build.',
    });
    return objects;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The variables a post-build provides; `complete` is false when some source cannot be read here. */
interface Variables {
  values: Map<string, string>;
  /** Names whose values are secret (a SOPS-encrypted Secret): known to exist, unknowable offline. */
  secret: Set<string>;
  complete: boolean;
}

function variablesOf(ks: Subject, postBuild: Record<string, unknown>, subjects: Subject[]): Variables {
  const vars: Variables = {
    values: new Map(),
    secret: new Set(),
    complete: true,
  };
  const ns = metadataOf(ks.object).namespace;
  const from = Array.isArray(postBuild.substituteFrom) ? (postBuild.substituteFrom as Record<string, unknown>[]) : [];
  for (const ref of from) {
    const source = subjects.find(
      (s) =>
        s.object.kind === ref.kind &&
        s.object.apiVersion === 'v1' &&
        metadataOf(s.object).name === ref.name &&
        [undefined, ns].includes(metadataOf(s.object).namespace),
    );
    if (!source) {
      if (ref.optional !== true) vars.complete = false; // created outside this tree, perhaps
      continue;
    }
    addSourceValues(vars, source.object);
  }
  for (const [k, v] of Object.entries((postBuild.substitute ?? {}) as Record<string, unknown>)) vars.values.set(k, String(v));
  return vars;
}

function addSourceValues(vars: Variables, o: Record<string, unknown>): void {
  const data = (o.data ?? {}) as Record<string, unknown>;
  const stringData = (o.stringData ?? {}) as Record<string, unknown>;
  if (o.kind === 'Secret' && isSopsDocument(o)) {
    for (const k of [...Object.keys(data), ...Object.keys(stringData)]) vars.secret.add(k);
    return;
  }
  for (const [k, v] of Object.entries(data)) vars.values.set(k, o.kind === 'Secret' ? Buffer.from(String(v), 'base64').toString('utf8') : String(v));
  for (const [k, v] of Object.entries(stringData)) vars.values.set(k, String(v));
}

/** `${NAME}`, `${NAME:=default}`, `${NAME:-default}`, `${NAME=default}`, `${NAME-default}`; `$${…}` is escaped. */
const EXPRESSION = /(\$?)\$\{([^{}]*)\}/g;
const NAMED = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[=-])(.*))?$/s;

interface SubstitutionResult {
  text: string;
  /** Names with no value and no default (Flux writes an empty string). */
  unset: string[];
  /** Names left as written because their value is unknowable offline. */
  opaque: string[];
}

/** Flux's post-build substitution (drone/envsubst syntax) over a text. */
function substituteText(text: string, vars: Variables): SubstitutionResult {
  const unset = new Set<string>();
  const opaque = new Set<string>();
  const out = text.replace(EXPRESSION, (whole, escape: string, inner: string) => {
    if (escape) return whole.slice(1);
    const m = NAMED.exec(inner);
    if (!m) return whole; // another shell operator: left alone
    const [, name, op, fallback] = m;
    if (vars.secret.has(name)) {
      opaque.add(name);
      return whole;
    }
    const value = vars.values.get(name);
    if (op === ':=' || op === ':-') return value ? value : fallback;
    if (op === '=' || op === '-') return value ?? fallback;
    if (value !== undefined) return value;
    (vars.complete ? unset : opaque).add(name);
    return whole;
  });
  return { text: out, unset: [...unset], opaque: [...opaque] };
}

function substitutionDisabled(o: Record<string, unknown>): boolean {
  const m = (o.metadata ?? {}) as Record<string, Record<string, unknown> | undefined>;
  return m.annotations?.[SUBSTITUTE_DISABLED] === 'disabled' || m.labels?.[SUBSTITUTE_DISABLED] === 'disabled';
}

/** The subject after substitution; values kept literal (unset or unknowable) are opaque to later stages. */
function substituteSubject(s: Subject, vars: Variables): { subject: Subject; unset: string[] } {
  if (substitutionDisabled(s.object)) return { subject: s, unset: [] };
  const text = stringify(s.object, { lineWidth: 0 }); // never folded: each ${VAR} stays on one line
  const result = substituteText(text, vars);
  if (result.text === text) return { subject: s, unset: result.unset };
  let object: unknown;
  try {
    object = parse(result.text);
  } catch {
    return { subject: s, unset: result.unset }; // a value broke the YAML; kustomize-controller fails the same way
  }
  if (!isK8sObject(object)) return { subject: s, unset: result.unset };
  const kept = [...result.unset, ...result.opaque];
  return {
    subject: {
      ...s,
      object,
      opaque: [...(s.opaque ?? []), ...pointersOfVariables(object, kept)],
    },
    unset: result.unset,
  };
}

function unsetFinding(tree: LoadedTree, s: Subject, ks: Subject, name: string): Finding {
  return variableFinding(tree, s, name, {
    rule: 'unset-variable',
    severity: 'error',
    message: `\${${name}} in ${s.object.kind} '${metadataOf(s.object).name}' is not defined by Flux Kustomization '${metadataOf(ks.object).name}' (${ks.file}): Flux writes an empty string.`,
    hint: `Add '${name}' to spec.postBuild.substitute or to a substituteFrom ConfigMap, give it a default (\${${name}:=value}), or escape it as $\${${name}}.`,
  });
}

function literalFindings(tree: LoadedTree, s: Subject, severity: Severity): Finding[] {
  if (substitutionDisabled(s.object)) return [];
  const names = new Set<string>();
  for (const m of JSON.stringify(s.object).matchAll(EXPRESSION)) {
    const named = NAMED.exec(m[2]);
    if (!m[1] && named) names.add(named[1]);
  }
  return [...names].map((name) =>
    variableFinding(tree, s, name, {
      rule: 'unsubstituted-variable',
      severity,
      message: `\${${name}} in ${s.object.kind} '${metadataOf(s.object).name}' reaches the cluster literally: no Flux Kustomization with spec.postBuild deploys it.`,
      hint: 'Deploy it with a Flux Kustomization that has spec.postBuild.substitute, or write the value itself.',
    }),
  );
}

function variableFinding(tree: LoadedTree, s: Subject, name: string, f: Pick<Finding, 'rule' | 'severity' | 'message' | 'hint'>): Finding {
  const at = pointersOfVariables(s.object, [name])[0];
  return {
    ...f,
    target: s.target ?? '',
    file: s.file,
    line: lineIn(tree, s, pointerToPath(at ?? '')),
    resource: `${s.object.kind}/${metadataOf(s.object).name ?? '?'}`,
  };
}

/** JSON pointers of the string values that hold `${name…}` for one of the names. */
function pointersOfVariables(value: unknown, names: string[], path = ''): string[] {
  if (names.length === 0) return [];
  if (typeof value === 'string') {
    const hit = [...value.matchAll(EXPRESSION)].some((m) => !m[1] && names.includes(NAMED.exec(m[2])?.[1] ?? ''));
    return hit ? [path] : [];
  }
  if (!value || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => pointersOfVariables(v, names, `${path}/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`));
}

/** SOPS-encrypted data that a Kustomization without `spec.decryption` would apply still encrypted. */
function undecrypted(tree: LoadedTree, ks: Subject, objects: Subject[]): Finding[] {
  const encrypted = objects.find((o) => isSopsDocument(o.object) || sopsGenerated(tree, o));
  if (!encrypted) return [];
  return [
    {
      target: ks.target ?? '',
      file: ks.file,
      line: lineIn(tree, ks, ['spec']),
      rule: 'sops-no-decryption',
      severity: 'warning',
      message: `Flux Kustomization '${metadataOf(ks.object).name}' deploys SOPS-encrypted ${encrypted.object.kind} '${metadataOf(encrypted.object).name}' (${encrypted.file}) but has no spec.decryption, so it would be applied encrypted.`,
      hint: 'Add spec.decryption: {provider: sops, secretRef: {name: <key Secret>}} to the Kustomization.',
      resource: `Kustomization/${metadataOf(ks.object).namespace ?? ''}/${metadataOf(ks.object).name}`,
    },
  ];
}
