import { posix } from 'node:path';
import type { LoadedTree } from './1-load';
import type { Subject } from './subject';

/**
 * Values that cannot be known offline, so no stage judges them: what SOPS encrypted
 * (a document with a `sops:` block, its `ENC[...]` values; files fed to a generator), and
 * what Flux substitutes from a Secret (post-build.ts marks those paths on the subject).
 */

/** A SOPS-encrypted document: its `sops:` block holds the keys and the MAC. */
export function isSopsDocument(object: Record<string, unknown>): boolean {
  return !!object.sops && typeof object.sops === 'object' && !Array.isArray(object.sops);
}

const ENCRYPTED = /^ENC\[[A-Z0-9_]+,data:/;

export function isEncryptedValue(value: unknown): boolean {
  return typeof value === 'string' && ENCRYPTED.test(value);
}

/** A file SOPS encrypted, in any of its formats: YAML / JSON (a `sops` key) or dotenv / INI (`sops_*` keys). */
export function isSopsFileText(text: string): boolean {
  return (
    /^sops:\s*$/m.test(text) || /"sops"\s*:\s*\{/.test(text) || /^sops_(version|mac|lastmodified)\s*=/m.test(text) || /^\[sops\]\s*$/m.test(text)
  );
}

/** Whether a JSON-pointer path is one of, or below one of, the opaque pointers. */
export function isOpaquePointer(pointer: string, opaque: readonly string[]): boolean {
  return opaque.some((p) => pointer === p || pointer.startsWith(p + '/'));
}

/** The value at a key path of an object. */
export function valueAt(object: unknown, path: readonly (string | number)[]): unknown {
  let v = object;
  for (const key of path) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/**
 * A Secret a kustomize secretGenerator made from SOPS-encrypted files only (Flux's
 * kustomize-controller decrypts them before the build): encrypted data, not plaintext.
 */
export function sopsGenerated(tree: LoadedTree, s: Subject): boolean {
  // Asked of every deployed object: the kind first, since the kustomization may not be parsed yet.
  if (s.object.kind !== 'Secret' || s.dir === undefined) return false;
  const dir = posix.dirname(s.file) === '.' ? '' : posix.dirname(s.file);
  if (s.file !== tree.kustomization(dir)?.file) return false;
  const generator = generatorOf(tree, s.file, String(((s.object.metadata ?? {}) as Record<string, unknown>).name ?? ''));
  if (!generator || (Array.isArray(generator.literals) && generator.literals.length > 0)) return false;
  const sources = [
    ...strings(generator.files).map((f) => (f.includes('=') ? f.slice(f.indexOf('=') + 1) : f)),
    ...strings(generator.envs),
    ...strings([generator.env]),
  ];
  return sources.length > 0 && sources.every((f) => tree.reader.isFile(posix.join(dir, f)) && isSopsFileText(tree.reader.read(posix.join(dir, f))));
}

/**
 * The secretGenerator entry of a kustomization file that made a Secret: its name as written,
 * or with kustomize's hash suffix, else (a name prefix or suffix added on the way) the longest
 * generator name the Secret's name contains.
 */
function generatorOf(tree: LoadedTree, file: string, name: string): Record<string, unknown> | undefined {
  const raw = (tree.file(file)?.documents[0]?.value ?? {}) as { secretGenerator?: unknown };
  const generators = (Array.isArray(raw.secretGenerator) ? raw.secretGenerator : []).filter(
    (g): g is Record<string, unknown> & { name: string } => !!g && typeof (g as { name?: unknown }).name === 'string',
  );
  const exact = generators.find((g) => name === g.name || new RegExp(`^${escapeRegExp(g.name)}-[a-z0-9]{10}$`).test(name));
  return exact ?? generators.filter((g) => name.includes(g.name)).sort((a, b) => b.name.length - a.name.length)[0];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
