/**
 * All YAML reading and writing goes through here. Built on the `yaml`
 * Document API so that updates keep comments, anchors and key order that
 * people wrote by hand. Plain reads (a file's data, no positions) go through
 * js-yaml with the same YAML 1.2 core schema: it is about eight times faster,
 * and generators read hundreds of files per run.
 */
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { Document, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, stringify, ToStringOptions, visit, YAMLMap } from 'yaml';

/**
 * How every YAML file is written: never folded, and quoted strings in single quotes, which is
 * prettier's YAML output with `singleQuote: true` (Nx's default `.prettierrc`). generators/shared/format.ts
 * relies on it to skip formatting what is already in that form.
 */
export const YAML_STYLE: ToStringOptions = { lineWidth: 0, singleQuote: true };

export interface YamlProblem {
  message: string;
  line: number;
  column: number;
  code: string;
}

export interface ParsedDocument {
  /** Zero-based index of the document in its file. */
  index: number;
  /** Plain JS value (null for an empty document). */
  value: unknown;
  /** First line of the document (1-based). */
  line: number;
  doc: Document.Parsed;
}

export interface ParsedYamlFile {
  path: string;
  documents: ParsedDocument[];
  errors: YamlProblem[];
  warnings: YamlProblem[];
  lineCounter: LineCounter;
}

/** Parses every document of a file, collecting errors with positions instead of throwing. */
export function parseYamlFile(path: string, text: string): ParsedYamlFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const errors: YamlProblem[] = [];
  const warnings: YamlProblem[] = [];
  const documents: ParsedDocument[] = [];
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, index) => {
    for (const e of doc.errors) errors.push(toProblem(e, lineCounter));
    for (const w of doc.warnings) warnings.push(toProblem(w, lineCounter));
    if (doc.errors.length > 0) return;
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    try {
      documents.push({ index, value: doc.toJS({ maxAliasCount: 1000 }), line: lineCounter.linePos(start).line, doc });
    } catch (e) {
      // e.g. an alias whose anchor is in another document
      const { line, col } = lineCounter.linePos(start);
      errors.push({ message: (e as Error).message, code: 'BAD_ALIAS', line, column: col });
    }
  });
  return { path, documents, errors, warnings, lineCounter };
}

function toProblem(e: { message: string; code: string; pos: [number, number] }, lc: LineCounter): YamlProblem {
  const { line, col } = lc.linePos(e.pos[0]);
  return { message: e.message.split('\n')[0], code: e.code, line, column: col };
}

/** A line that starts or ends a document: a file without one holds one document at most. */
const DOCUMENT_MARKER = /^(---|\.\.\.)(\s|$)/m;

/**
 * parseYamlFile's result with positions read on first use. A file of one document is loaded as
 * plain data through js-yaml, and parsed with positions (the `yaml` library, about eight times
 * slower) only when a document's line, its Document or the line counter is asked for: findings
 * and in-place comparisons, which most files of a run never need. A file with document markers,
 * or one js-yaml refuses, is parsed at once (its errors come with positions).
 */
export function loadYamlFile(path: string, text: string): ParsedYamlFile {
  if (DOCUMENT_MARKER.test(text)) return parseYamlFile(path, text);
  const values = plainDocuments(text);
  if (!values || values.length > 1) return parseYamlFile(path, text);
  let full: ParsedYamlFile | undefined;
  const positions = () => (full ??= parseYamlFile(path, text));
  const documents = values.map((value, index) => {
    const at = () => positions().documents.find((d) => d.index === index);
    return Object.defineProperties({ index, value } as ParsedDocument, {
      line: { get: () => at()?.line ?? 1, enumerable: true },
      doc: { get: () => at()?.doc, enumerable: true },
    });
  });
  return Object.defineProperties({ path, documents, errors: [] } as unknown as ParsedYamlFile, {
    warnings: { get: () => positions().warnings, enumerable: true },
    lineCounter: { get: () => positions().lineCounter, enumerable: true },
  });
}

/**
 * Every document of a file as plain data (null for an empty one), through js-yaml; undefined when
 * it does not load, and then parseYamlFile says why and where (one wording and position for every reader).
 */
export function plainDocuments(text: string): unknown[] | undefined {
  try {
    return loadAll(text, undefined, { schema: CORE_SCHEMA });
  } catch {
    return undefined;
  }
}

/** The non-empty documents of a file as plain objects; throws on a syntax error, with parseYamlFile's message and position. */
export function readYamlDocuments(path: string, text: string): unknown[] {
  const documents = plainDocuments(text);
  const parsed = documents ? undefined : parseYamlFile(path, text);
  if (parsed?.errors.length) {
    const e = parsed.errors[0];
    throw new Error(`${path}:${e.line}:${e.column}: ${e.message}`);
  }
  return (documents ?? parsed!.documents.map((d) => d.value)).filter((v) => v !== null && v !== undefined);
}

/** The single document of a file as a plain object; throws on a syntax error. */
export function readYaml<T = unknown>(path: string, text: string): T {
  const docs = readYamlDocuments(path, text);
  return (docs[0] ?? null) as T;
}

/** Line (1-based) of a value addressed by a key path inside a parsed document, or the document line. */
export function lineOf(file: ParsedYamlFile, documentIndex: number, path: (string | number)[]): number {
  const d = file.documents.find((x) => x.index === documentIndex);
  if (!d) return 1;
  let best = d.line;
  for (let i = path.length; i >= 0; i--) {
    const node = d.doc.getIn(path.slice(0, i), true) as { range?: [number, number] } | undefined;
    if (node && node.range) {
      best = file.lineCounter.linePos(node.range[0]).line;
      break;
    }
  }
  return best;
}

/**
 * Line (1-based) of the key that holds the value at `path` (`spec.version` → the
 * line of `version:`), where a finding should point. Falls back to `lineOf` when
 * the path ends in a sequence index or is not written in the document.
 */
export function keyLineOf(file: ParsedYamlFile, documentIndex: number, path: (string | number)[]): number {
  const doc = file.documents.find((d) => d.index === documentIndex)?.doc;
  const parent = path.length ? doc?.getIn(path.slice(0, -1), true) : undefined;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
    const range = (pair?.key as { range?: [number, number] } | undefined)?.range;
    if (range) return file.lineCounter.linePos(range[0]).line;
  }
  return lineOf(file, documentIndex, path);
}

/** Writes objects as YAML, one document each, with an optional leading comment. */
export function toYaml(objects: unknown | unknown[], headerComment?: string): string {
  const list = Array.isArray(objects) ? objects : [objects];
  const body = list.map((o) => stringify(o, YAML_STYLE)).join('---\n');
  const text = headerComment ? commentBlock(headerComment) + body : body;
  // Plain values give block collections only; a double quote or an escaped single quote is a string prettier may quote otherwise.
  return remember(text, !text.includes('"') && !text.includes("''"));
}

/**
 * What the writer (toYaml, editYaml) wrote in this process, and whether it is in writer form: a
 * text the writer made is its own serialisation by construction, so inWriterForm need not parse it
 * again (the formatting step asks for every file a generator wrote, hundreds of them).
 */
const writtenTexts = new Map<string, boolean>();
const MAX_WRITTEN_TEXTS = 50_000;
function remember(text: string, inForm: boolean): string {
  if (writtenTexts.size >= MAX_WRITTEN_TEXTS) writtenTexts.clear();
  writtenTexts.set(text, inForm);
  return text;
}

function commentBlock(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => (l ? `# ${l}` : '#'))
      .join('\n') + '\n'
  );
}

/**
 * Edits a YAML file in place: `mutate` receives the parsed Document and
 * changes what it must. Comments and untouched keys stay as they were.
 * Returns the new text, or the input unchanged (byte for byte) when `mutate` changed nothing.
 * A `mutate` that returns whether it changed something spares the comparison (runs that edit
 * hundreds of files); one that returns nothing is compared with the document as it was.
 */
export function editYaml(text: string, mutate: (doc: Document.Parsed) => boolean | void): string {
  const doc = singleDocument(text);
  const reported = mutate(doc);
  if (reported === false) return text;
  const out = remember(doc.toString(YAML_STYLE), !prettierMayChange(doc));
  if (reported === true) return out;
  // Compared with the document as the library writes it, so a file laid out by hand
  // (other indentation, quoting) that needs no change is returned as it is.
  return out === singleDocument(text).toString(YAML_STYLE) ? text : out;
}

function singleDocument(text: string): Document.Parsed {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length !== 1) {
    throw new Error('editYaml expects exactly one YAML document');
  }
  if (docs[0].errors.length) throw new Error(docs[0].errors[0].message);
  return docs[0];
}

/**
 * Sets `path` to `value` only when it differs, so an unchanged value keeps
 * its formatting and comments.
 */
export function setIfChanged(doc: Document, path: (string | number)[], value: unknown): boolean {
  const current = doc.getIn(path);
  const plain = isScalar(current)
    ? current.value
    : current && typeof current === 'object' && 'toJSON' in current
      ? (current as { toJSON(): unknown }).toJSON()
      : current;
  if (JSON.stringify(plain) === JSON.stringify(value)) return false;
  doc.setIn(path, value);
  return true;
}

/** Adds an item to a sequence at `path` (creating it) unless present; keeps the sequence sorted if it was. */
export function addToSequence(doc: Document, path: (string | number)[], item: string): boolean {
  const node = doc.getIn(path, true);
  if (!node) {
    doc.setIn(path, doc.createNode([item]));
    return true;
  }
  if (!isSeq(node)) throw new Error(`${path.join('.')} is not a list`);
  const items = node.items.map((i) => (isScalar(i) ? String(i.value) : String(i)));
  if (items.includes(item)) return false;
  const wasSorted = items.every((v, i) => i === 0 || items[i - 1] <= v);
  const at = wasSorted ? items.findIndex((v) => v > item) : -1;
  const created = doc.createNode(item);
  if (at === -1) node.items.push(created);
  else node.items.splice(at, 0, created);
  return true;
}

export { isMap, isScalar, isSeq, YAMLMap, Document };

/**
 * Whether `text` is exactly how the writer writes its own documents (YAML_STYLE) and holds nothing
 * whose form prettier chooses otherwise: a double-quoted string, a single-quoted one holding a
 * quote, a non-empty flow collection. Prettier's YAML output with `singleQuote: true` is then the
 * text itself (format.spec.ts checks that over every YAML file of the repository).
 */
export function inWriterForm(text: string): boolean {
  const known = writtenTexts.get(text);
  if (known !== undefined) return known;
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return false;
  if (docs.map((d) => d.toString(YAML_STYLE)).join('') !== text) return false;
  return !docs.some(prettierMayChange);
}

/** A double-quoted string, a single-quoted one holding a quote, a non-empty flow collection: prettier chooses their form itself. */
function prettierMayChange(doc: Document): boolean {
  let found = false;
  const stop = () => {
    found = true;
    return visit.BREAK;
  };
  visit(doc, {
    Scalar: (_, node) => (node.type === 'QUOTE_DOUBLE' || (node.type === 'QUOTE_SINGLE' && String(node.value).includes("'")) ? stop() : undefined),
    Map: (_, node) => (node.flow && node.items.length > 0 ? stop() : undefined),
    Seq: (_, node) => (node.flow && node.items.length > 0 ? stop() : undefined),
  });
  return found;
}
