/**
 * What the kubernetes-models type declarations say an object may hold, by
 * path. The precompiled validators skip properties whose schema has no
 * constraint (AppProject `spec.description`), so the field tracker calls them
 * unknown; the `.d.ts` files of the same package declare them. A field is
 * accepted only where the interface at its parent path declares it:
 * HelmRelease `spec.version` is not accepted because `spec.chart.spec`
 * declares a `version`.
 *
 * The declarations are generated and regular: an `export interface` block per
 * file whose members are `"name"?: Type;`, Type being an interface imported
 * from another `.d.ts`, `Array<…>`, a `{ [key: string]: … }` map, an inline
 * `{ … }` object, or a scalar. A small brace-aware reader is enough; each file
 * is read once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

type TypeRef =
  | { kind: 'object'; members: Map<string, string>; extends: string[]; file: string }
  | { kind: 'array'; of: string; file: string }
  | { kind: 'map'; of: string; file: string }
  | { kind: 'scalar' };

/** What the declarations allow below a path: any key (maps, free-form JSON), these keys, or nothing known. */
export type DeclaredKeys = 'any' | ReadonlySet<string> | undefined;

interface DeclarationFile {
  imports: Map<string, string>;
  interfaces: Map<string, { body: string; extends: string[] }>;
  aliases: Map<string, string>;
  first?: string;
}

const files = new Map<string, DeclarationFile | undefined>();

/**
 * The keys the model of a kind declares for the object at `parentPath` (keys
 * only: array indices are walked through). `kindFile` is the kind's
 * `<Kind>.d.ts` in its version folder.
 */
export function declaredKeysAt(kindFile: string, parentPath: readonly string[]): DeclaredKeys {
  const kind = readDeclarations(kindFile);
  const root = kind?.first;
  if (!root) return undefined;
  let type: TypeRef | undefined = interfaceType(kindFile, root);
  for (const segment of parentPath) {
    if (!type || type.kind === 'scalar') return undefined;
    if (type.kind === 'array') {
      if (!/^\d+$/.test(segment)) return undefined;
      type = parseType(type.of, type.file);
      continue;
    }
    if (type.kind === 'map') {
      type = parseType(type.of, type.file);
      continue;
    }
    const members = allMembers(type);
    if (members === 'any') return 'any';
    const member = members.get(segment);
    type = member === undefined ? undefined : parseType(member.type, member.file);
  }
  if (!type || type.kind === 'scalar' || type.kind === 'array') return undefined;
  if (type.kind === 'map') return 'any';
  const members = allMembers(type);
  return members === 'any' ? 'any' : new Set(members.keys());
}

/** Members of an object type and of the interfaces it extends; an empty interface (`IJSON`) is free-form. */
function allMembers(type: Extract<TypeRef, { kind: 'object' }>): 'any' | Map<string, { type: string; file: string }> {
  const out = new Map<string, { type: string; file: string }>();
  for (const [name, t] of type.members) out.set(name, { type: t, file: type.file });
  for (const parent of type.extends) {
    const p = resolveInterface(parent, type.file);
    if (p?.kind !== 'object') continue;
    const inherited = allMembers(p);
    if (inherited !== 'any') for (const [name, t] of inherited) if (!out.has(name)) out.set(name, t);
  }
  return out.size === 0 && type.extends.length === 0 ? 'any' : out;
}

/** A type expression as written after `"name"?:`. */
function parseType(text: string, file: string): TypeRef | undefined {
  const t = text.trim();
  const array = /^Array<([\s\S]*)>$/.exec(t);
  if (array) return { kind: 'array', of: array[1], file };
  if (t.startsWith('{') && t.endsWith('}')) {
    const body = t.slice(1, -1).trim();
    const index = /^\[\s*\w+\s*:\s*string\s*\]\s*:\s*([\s\S]*?);?$/.exec(body);
    if (index) return { kind: 'map', of: index[1], file };
    return { kind: 'object', members: readMembers(body), extends: [], file };
  }
  if (/^I\w+$/.test(t)) return resolveInterface(t, file);
  return { kind: 'scalar' };
}

function resolveInterface(name: string, file: string): TypeRef | undefined {
  const own = readDeclarations(file);
  if (!own) return undefined;
  if (own.interfaces.has(name)) return interfaceType(file, name);
  const local = own.aliases.get(name);
  if (local && own.interfaces.has(local)) return interfaceType(file, local);
  const from = own.imports.get(name);
  const target = from === undefined ? undefined : declarationPath(from, file);
  if (target === undefined) return undefined;
  const other = readDeclarations(target);
  const inTarget = other && (other.interfaces.has(name) ? name : (other.aliases.get(name) ?? other.first));
  return inTarget ? interfaceType(target, inTarget) : undefined;
}

function interfaceType(file: string, name: string): TypeRef | undefined {
  const decl = readDeclarations(file)?.interfaces.get(name);
  if (!decl) return undefined;
  return { kind: 'object', members: readMembers(decl.body), extends: decl.extends, file };
}

/** `./Foo.js` or `pkg/path/Foo` imported by `from` → the `.d.ts` file. */
function declarationPath(specifier: string, from: string): string | undefined {
  const bare = specifier.replace(/\.js$/, '');
  if (bare.startsWith('.')) return `${resolve(dirname(from), bare)}.d.ts`;
  const parts = bare.split('/');
  const pkgLength = bare.startsWith('@') ? 2 : 1;
  const pkg = parts.slice(0, pkgLength).join('/');
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(candidate)) return `${join(candidate, ...parts.slice(pkgLength))}.d.ts`;
    if (dirname(dir) === dir) return undefined;
  }
}

function readDeclarations(file: string): DeclarationFile | undefined {
  if (files.has(file)) return files.get(file);
  const parsed = existsSync(file) ? parseDeclarations(readFileSync(file, 'utf8')) : undefined;
  files.set(file, parsed);
  return parsed;
}

function parseDeclarations(text: string): DeclarationFile {
  const source = stripComments(text);
  const out: DeclarationFile = { imports: new Map(), interfaces: new Map(), aliases: new Map() };
  for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const name of m[1]
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean))
      out.imports.set(name.split(/\s+as\s+/).pop()!, m[2]);
  }
  for (const m of source.matchAll(/export\s+type\s*\{([^}]*)\}/g)) {
    for (const pair of m[1].split(',')) {
      const [local, exported] = pair.split(/\s+as\s+/).map((x) => x.trim());
      if (local && exported) out.aliases.set(exported, local);
    }
  }
  for (const m of source.matchAll(/export\s+interface\s+(\w+)\s*(?:extends\s+([^{]+))?\{/g)) {
    const open = m.index! + m[0].length - 1;
    const body = source.slice(open + 1, matchingBrace(source, open));
    const parents = (m[2] ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x && x !== 'TypeMeta');
    out.interfaces.set(m[1], { body, extends: parents });
    out.first ??= m[1];
  }
  return out;
}

/** Members `"name"?: Type;` of an interface or object-literal body, at depth 0. */
function readMembers(body: string): Map<string, string> {
  const members = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const m = /^\s*"([^"]+)"\??\s*:/.exec(body.slice(i));
    if (!m) {
      // Not a property (an index signature of a mixed body): skip to the next member.
      const end = endOfMember(body, i);
      if (end <= i) break;
      i = end + 1;
      continue;
    }
    const start = i + m[0].length;
    const end = endOfMember(body, start);
    members.set(m[1], body.slice(start, end).trim());
    i = end + 1;
  }
  return members;
}

/** Index of the `;` that ends a member, skipping nested `{}`, `<>`, `()`, `[]` and strings. */
function endOfMember(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = text.indexOf('"', i + 1);
    else if ('{<(['.includes(c)) depth++;
    else if ('}>)]'.includes(c)) depth--;
    else if (c === ';' && depth === 0) return i;
    if (i < 0) return text.length;
  }
  return text.length;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '"') i = text.indexOf('"', i + 1);
    else if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return text.length;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}
