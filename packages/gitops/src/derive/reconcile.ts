/**
 * Reconcile: compares the desired state with the files of a tree and says what to write, what to
 * delete and, field by field, what differs (drift). Pure: it reads through a TreeView and returns
 * the new texts; the Nx Tree adapter (generators/shared/reconcile.ts) applies them, and validation
 * reports the drift.
 */
import { Document, isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { plainDocuments, toYaml, YAML_STYLE } from '../model/yaml-io';
import { DesiredDocument, DesiredFile, documentKey, FieldPath } from './desired';
import { TreeView } from './tree-view';

export interface Drift {
  /** The derived file. */
  file: string;
  /** 1-based line of the field (or of the file's first line). */
  line: number;
  /** `field`: a derived field differs; `missing`: the file should exist; `extra`: the file should be gone. */
  kind: 'field' | 'missing' | 'extra';
  /** Dotted path of the field, with the document's kind/name when the file holds several. */
  field?: string;
  found?: string;
  expected?: string;
  /** The source of truth the expected value follows. */
  source: string;
}

export interface FileChange {
  path: string;
  /** The new text; null deletes the file. */
  text: string | null;
}

export interface ReconcilePlan {
  changes: FileChange[];
  drift: Drift[];
}

/** A derived file that exists but is no longer desired, with why it goes. */
export interface Obsolete {
  path: string;
  reason: string;
  /** As DesiredFile.environments. */
  environments?: string[];
}

/** One line per drift, as `nx sync:check` and validation print it. */
export function describeDrift(d: Drift): string {
  switch (d.kind) {
    case 'missing':
      return `${d.file}: missing; derived from ${d.source}`;
    case 'extra':
      return `${d.file}: should not exist: ${d.source}`;
    default:
      return `${d.file}:${d.line}: ${d.field} is ${d.found}, expected ${d.expected} (from ${d.source})`;
  }
}

/** A file already parsed by the caller (validation parses every YAML file once), or undefined to parse it here. */
export type ParsedSource = (path: string) => { docs: Document[]; lineCounter: LineCounter } | undefined;

/** `check` only compares (nothing is serialised, parsed documents are not changed). */
export interface ReconcileOptions {
  check?: boolean;
  /** A file's documents as plain data, when the caller has them (validation loads every file once). */
  values?: (path: string) => unknown[] | undefined;
  parsed?: ParsedSource;
}

export function reconcile(view: TreeView, desired: DesiredFile[], obsolete: Obsolete[], options: ReconcileOptions = {}): ReconcilePlan {
  const plan: ReconcilePlan = { changes: [], drift: [] };
  for (const file of desired) reconcileFile(view, file, plan, options);
  for (const o of obsolete) {
    plan.changes.push({ path: o.path, text: null });
    plan.drift.push({ file: o.path, line: 1, kind: 'extra', source: o.reason });
  }
  return plan;
}

function parse(text: string): { docs: Document[]; lineCounter: LineCounter } | undefined {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  return !Array.isArray(docs) || docs.some((d) => d.errors.length > 0) ? undefined : { docs, lineCounter };
}

function reconcileFile(view: TreeView, file: DesiredFile, plan: ReconcilePlan, options: ReconcileOptions): void {
  const text = view.read(file.path);
  const fresh = () =>
    toYaml(
      file.documents.map((d) => d.object),
      file.header,
    );
  if (text === null) {
    plan.changes.push({ path: file.path, text: fresh() });
    plan.drift.push({ file: file.path, line: 1, kind: 'missing', source: file.documents[0]?.fields[0]?.source ?? 'the sources of truth' });
    return;
  }
  // Compared as plain data first: a file in sync (most derived files, most runs) is never parsed with positions.
  const values = options.values?.(file.path) ?? plainDocuments(text);
  if (values && inSync(file, values)) return;
  const parsed = options.parsed?.(file.path) ?? parse(text);
  if (!parsed) {
    plan.changes.push({ path: file.path, text: fresh() });
    plan.drift.push({
      file: file.path,
      line: 1,
      kind: 'field',
      field: '(file)',
      found: 'YAML that does not parse',
      expected: 'the derived content',
      source: 'the sources of truth',
    });
    return;
  }
  const drift = compare(file, parsed.docs, parsed.lineCounter);
  if (drift.length === 0) return;
  plan.drift.push(...drift);
  if (options.check) return;
  // Apply on a fresh parse of the text: the compared documents may belong to the caller.
  plan.changes.push({ path: file.path, text: apply(file, parse(text)!.docs) });
}

/** Whether the file's documents (plain data) are the desired ones in every derived field, the same documents in derive's order. */
function inSync(file: DesiredFile, values: unknown[]): boolean {
  const existing = values.filter((v) => v !== null && v !== undefined);
  const result = matchDocuments(existing, file.documents, (v) => v);
  if (result.unwanted.length > 0 || result.missing.length > 0 || result.ordered.some((d, i) => d !== existing[i])) return false;
  return result.matched.every(({ doc, desired }) =>
    desired.fields.every((f) => canonical(valueAt(doc, f.path)) === canonical(valueAt(desired.object, f.path))),
  );
}

/** Field by field, what differs between the file's documents and the desired ones. */
function compare(file: DesiredFile, docs: Document[], lineCounter: LineCounter): Drift[] {
  const existing = docs.filter((d) => d.contents !== null);
  const result = matchDocuments(existing, file.documents, (d) => d.toJS());
  const several = file.documents.length > 1 || existing.length > 1;
  const drift: Drift[] = [];
  const at = (doc: Document, path: FieldPath) => lineOfNode(doc, path, lineCounter);
  for (const { doc, desired } of result.matched) {
    for (const f of desired.fields) {
      const found = plainAt(doc, f.path);
      const expected = valueAt(desired.object, f.path);
      if (canonical(found) === canonical(expected)) continue;
      const field = (several ? `${documentKey(desired.object)} ` : '') + f.path.join('.');
      drift.push({
        file: file.path,
        line: at(doc, f.path),
        kind: 'field',
        field,
        found: describe(found),
        expected: describe(expected),
        source: f.source,
      });
    }
  }
  for (const doc of result.unwanted) {
    const line = lineCounter.linePos(doc.range?.[0] ?? 0).line;
    drift.push({
      file: file.path,
      line,
      kind: 'field',
      field: documentKey(doc.toJS()),
      found: 'present',
      expected: 'absent',
      source: 'the sources of truth',
    });
  }
  for (const desired of result.missing) {
    const source = desired.fields[0]?.source ?? 'the sources of truth';
    drift.push({ file: file.path, line: 1, kind: 'field', field: documentKey(desired.object), found: 'absent', expected: 'present', source });
  }
  // Same documents, other order (a set file such as namespaces.yaml): derive's order is the file's.
  if (drift.length === 0 && result.ordered.some((d, i) => d !== existing[i])) {
    drift.push({
      file: file.path,
      line: 1,
      kind: 'field',
      field: '(order of documents)',
      found: 'another order',
      expected: 'sorted',
      source: 'the sources of truth',
    });
  }
  return drift;
}

/** The new text: derived fields set in place, unwanted documents gone, missing ones added, in derive's order. */
function apply(file: DesiredFile, docs: Document[]): string {
  const existing = docs.filter((d) => d.contents !== null);
  const result = matchDocuments(existing, file.documents, (d) => d.toJS());
  for (const { doc, desired } of result.matched) {
    for (const f of desired.fields) setField(doc, f.path, valueAt(desired.object, f.path));
  }
  const kept = result.ordered;
  const header = existing.length ? topComment(existing[0]) : file.header;
  keepFileHeader(existing[0], kept[0]);
  const texts = kept.map((d) => (d instanceof Document ? d.toString(YAML_STYLE) : toYaml(d.object)));
  const lead = kept[0] instanceof Document ? '' : commentHeader(header);
  return lead + texts.map((t, i) => (i === 0 ? t : stripDocStart(t))).join('---\n');
}

/** The comment at the top of the file stays at the top when its document moves or goes. */
function keepFileHeader(first: Document | undefined, next: Document | DesiredDocument | undefined): void {
  if (!first || first === next) return;
  // The parser keeps a leading comment on the document, or on its first node when no blank line follows it.
  const holder = first.commentBefore ? first : (first.contents as { commentBefore?: string | null } | null);
  const comment = holder?.commentBefore;
  if (!holder || !comment) return;
  if (next instanceof Document) next.commentBefore = comment;
  if (next instanceof Document || next === undefined) holder.commentBefore = undefined;
}

function topComment(doc: Document): string | undefined {
  return doc.commentBefore ?? (doc.contents as { commentBefore?: string } | null)?.commentBefore ?? undefined;
}

function commentHeader(header?: string | null): string {
  if (!header) return '';
  return (
    header
      .split('\n')
      .map((l) => (l.startsWith(' ') || l === '' ? `#${l}` : `# ${l}`))
      .join('\n') + '\n'
  );
}

function stripDocStart(text: string): string {
  return text.startsWith('---\n') ? text.slice(4) : text;
}

interface Matching<D> {
  matched: { doc: D; desired: DesiredDocument }[];
  /** Existing documents derive does not want. */
  unwanted: D[];
  missing: DesiredDocument[];
  /** The documents of the new file, in the order derive gives them (existing ones edited in place). */
  ordered: (D | DesiredDocument)[];
}

/** By kind and name (of `plainOf` the document); a single document on each side is the same document even when its name changed (a rename). */
function matchDocuments<D>(existing: D[], desired: DesiredDocument[], plainOf: (doc: D) => unknown): Matching<D> {
  const byKey = new Map(desired.map((d) => [documentKey(d.object), d]));
  const m: Matching<D> = { matched: [], unwanted: [], missing: [], ordered: [] };
  const used = new Set<DesiredDocument>();
  for (const doc of existing) {
    let want = byKey.get(documentKey(plainOf(doc)));
    if (!want && existing.length === 1 && desired.length === 1) want = desired[0];
    if (want && !used.has(want)) {
      used.add(want);
      m.matched.push({ doc, desired: want });
    } else {
      m.unwanted.push(doc);
    }
  }
  for (const d of desired) {
    const match = m.matched.find((x) => x.desired === d);
    if (!match) m.missing.push(d);
    m.ordered.push(match ? match.doc : d);
  }
  return m;
}

export function valueAt(object: unknown, path: FieldPath): unknown {
  let node = object;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** Sets (or, for undefined, removes) one field when it differs. */
function setField(doc: Document, path: FieldPath, value: unknown): void {
  if (canonical(plainAt(doc, path)) === canonical(value)) return;
  if (value === undefined) doc.deleteIn(path);
  else doc.setIn(path, doc.createNode(value));
}

function plainAt(doc: Document, path: FieldPath): unknown {
  const node = doc.getIn(path, true);
  return node === undefined ? undefined : plain(node);
}

function plain(node: unknown): unknown {
  if (isScalar(node)) return node.value;
  if (isMap(node) || isSeq(node)) return (node as { toJSON(): unknown }).toJSON();
  return node;
}

/** JSON with sorted keys: a mapping whose keys a person reordered is still the same value. */
export function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, v[k]]),
          )
        : v,
    ) ?? 'undefined'
  );
}

function describe(value: unknown): string {
  if (value === undefined) return 'unset';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The line of the field, else of its nearest existing parent. */
function lineOfNode(doc: Document, path: FieldPath, lc: LineCounter): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number] } | undefined)?.range;
    if (range) return lc.linePos(range[0]).line;
  }
  return 1;
}
