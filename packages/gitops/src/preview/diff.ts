/**
 * A diff that knows Kubernetes objects: objects matched by group, kind, namespace and name; inside
 * them, maps compared key by key and lists of named items (containers, env, ports, volumes) matched
 * by `name`, so a reordered or inserted container is not a change of every later one. A change is a
 * path with its old and new value. Secret data never leaves this module as a value: only its keys,
 * and "changed" or "encrypted, changed".
 */
import { canonical } from '../derive/reconcile';

export interface Change {
  /** e.g. `spec.template.spec.containers[name=app].image`. */
  path: string;
  /** Absent: the path was added. */
  from?: unknown;
  /** Absent: the path was removed. */
  to?: unknown;
}

export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  [field: string]: unknown;
}

export interface ObjectChange {
  /** `Kind namespace/name` (or `Kind name` for cluster objects). */
  title: string;
  status: 'added' | 'removed' | 'changed';
  changes: Change[];
}

/** A stand-in for a value that must not be shown. */
export const HIDDEN = { changed: '(changed)', encrypted: '(encrypted, changed)', set: '(set)' } as const;

export function diffValues(from: unknown, to: unknown, path = ''): Change[] {
  if (canonical(from) === canonical(to)) return [];
  // A map added or removed is listed leaf by leaf, as a reviewer reads a values file.
  const added = from === undefined && isMap(to) && Object.keys(to).length > 0;
  const removed = to === undefined && isMap(from) && Object.keys(from).length > 0;
  if ((isMap(from) && isMap(to)) || added || removed) {
    const a = (from ?? {}) as Record<string, unknown>;
    const b = (to ?? {}) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => diffValues(a[k], b[k], join(path, k)));
  }
  if (Array.isArray(from) && Array.isArray(to) && namedItems(from) && namedItems(to)) {
    const byName = (list: unknown[]) => new Map(list.map((i) => [(i as { name: string }).name, i]));
    const a = byName(from);
    const b = byName(to);
    const names = [...new Set([...a.keys(), ...b.keys()])];
    return names.flatMap((n) => diffValues(a.get(n), b.get(n), `${path}[name=${n}]`));
  }
  // Lists of distinct scalars (sourceRepos, namespaces) as sets: what went, what came (a reordering falls through).
  if (Array.isArray(from) && Array.isArray(to) && distinctScalars(from) && distinctScalars(to)) {
    const went = from.filter((i) => !to.includes(i)).map((i) => ({ path: `${path}[]`, from: i }));
    const came = to.filter((i) => !from.includes(i)).map((i) => ({ path: `${path}[]`, to: i }));
    if (went.length || came.length) return [...went, ...came];
  }
  // Same length: item by item (an Argo CD Application's sources); otherwise the list is replaced as a whole.
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    return from.flatMap((item, i) => diffValues(item, to[i], `${path}[${i}]`));
  }
  const change: Change = { path };
  if (from !== undefined) change.from = from;
  if (to !== undefined) change.to = to;
  return [change];
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function distinctScalars(list: unknown[]): boolean {
  return list.every((i) => typeof i === 'string' || typeof i === 'number' || typeof i === 'boolean') && new Set(list).size === list.length;
}

function namedItems(list: unknown[]): boolean {
  const names = list.map((i) => (isMap(i) && typeof i.name === 'string' ? i.name : undefined));
  return list.length > 0 && names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

/** Dotted path; a key with a dot or a slash (an annotation) is bracketed. */
function join(path: string, key: string): string {
  const part = /^[A-Za-z0-9_-]+$/.test(key) ? key : `["${key}"]`;
  return path === '' ? part : part.startsWith('[') ? `${path}${part}` : `${path}.${part}`;
}

export function objectKey(o: K8sObject): string {
  const group = (o.apiVersion ?? '').split('/').slice(0, -1).join('/');
  return `${group}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

export function objectTitle(o: K8sObject): string {
  const ns = o.metadata?.namespace;
  return `${o.kind} ${ns ? `${ns}/` : ''}${o.metadata?.name}`;
}

/** Added, removed and changed objects between two renders, sorted by title. */
export function diffObjects(before: readonly K8sObject[], after: readonly K8sObject[]): ObjectChange[] {
  const a = new Map(before.map((o) => [objectKey(o), o]));
  const b = new Map(after.map((o) => [objectKey(o), o]));
  const out: ObjectChange[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const from = a.get(key);
    const to = b.get(key);
    const shown = (to ?? from)!;
    if (!from || !to) {
      out.push({ title: objectTitle(shown), status: from ? 'removed' : 'added', changes: secretKeys(shown, !!from) });
      continue;
    }
    const changes = hideSecretValues(shown, diffValues(from, to));
    if (changes.length) out.push({ title: objectTitle(shown), status: 'changed', changes });
  }
  return out.sort((x, y) => x.title.localeCompare(y.title));
}

/** Where an object keeps secret material, and whether it is encrypted there. */
function secretFields(o: K8sObject): { prefixes: string[]; encrypted: boolean } | undefined {
  if ('sops' in o) return { prefixes: ['data', 'stringData', 'sops', 'spec'], encrypted: true };
  if (o.kind === 'Secret') return { prefixes: ['data', 'stringData'], encrypted: false };
  if (o.kind === 'SealedSecret') return { prefixes: ['spec.encryptedData', 'spec.template.data'], encrypted: true };
  return undefined;
}

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/** Secret paths keep their key; the values become "(changed)" / "(encrypted, changed)"; SOPS metadata collapses into one line. */
function hideSecretValues(o: K8sObject, changes: Change[]): Change[] {
  const secret = secretFields(o);
  if (!secret) return changes;
  const out: Change[] = [];
  for (const c of changes) {
    if (!secret.prefixes.some((p) => under(c.path, p))) {
      out.push(c);
      continue;
    }
    if (under(c.path, 'sops')) {
      if (!out.some((x) => x.path === 'sops')) out.push({ path: 'sops', from: HIDDEN.encrypted, to: HIDDEN.encrypted });
      continue;
    }
    const hidden = secret.encrypted ? HIDDEN.encrypted : HIDDEN.changed;
    out.push({
      path: c.path,
      ...(c.from !== undefined ? { from: c.to === undefined ? HIDDEN.set : hidden } : {}),
      ...(c.to !== undefined ? { to: c.from === undefined ? HIDDEN.set : hidden } : {}),
    });
  }
  return out;
}

/** An added or removed secret is listed with its keys only. */
function secretKeys(o: K8sObject, removed: boolean): Change[] {
  const secret = secretFields(o);
  if (!secret) return [];
  const keys: string[] = [];
  for (const prefix of secret.prefixes.filter((p) => p !== 'sops' && p !== 'spec')) {
    let node: unknown = o;
    for (const k of prefix.split('.')) node = isMap(node) ? node[k] : undefined;
    if (isMap(node)) keys.push(...Object.keys(node).map((k) => join(prefix, k)));
  }
  const marker = secret.encrypted ? '(encrypted)' : HIDDEN.set;
  return keys.map((path) => (removed ? { path, from: marker } : { path, to: marker }));
}
