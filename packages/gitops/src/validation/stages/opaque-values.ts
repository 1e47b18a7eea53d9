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
  return /^sops:\s*$/m.test(text) || /"sops"\s*:\s*\{/.test(text) || /^sops_(version|mac|lastmodified)\s*=/m.test(text) || /^\[sops\]\s*$/m.test(text);
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
  if (s.object.kind !== 'Secret' || s.dir === undefined || s.file !== tree.kustomization(posix.dirname(s.file) === '.' ? '' : posix.dirname(s.file))?.file)
    return false;
  const dir = posix.dirname(s.file) === '.' ? '' : posix.dirname(s.file);
  const raw = (tree.file(s.file)?.documents[0]?.value ?? {}) as {
    secretGenerator?: unknown;
  };
  const name = String(((s.object.metadata ?? {}) as Record<string, unknown>).name ?? '');
  const generators = (Array.isArray(raw.secretGenerator) ? raw.secretGenerator : []) as Record<string, unknown>[];
  const generator = generators.find((g) => typeof g.name === 'string' && (name === g.name || name.startsWith(`${g.name}-`) || name.includes(g.name)));
  if (!generator || (Array.isArray(generator.literals) && generator.literals.length > 0)) return false;
  const sources = [
    ...strings(generator.files).map((f) => (f.includes('=') ? f.slice(f.indexOf('=') + 1) : f)),
    ...strings(generator.envs),
    ...strings([generator.env]),
  ];
  return (
    sources.length > 0 &&
    sources.every((f) => {
      const path = posix.join(dir, f);
      return tree.reader.isFile(path) && isSopsFileText(tree.reader.read(path));
    })
  );
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
