/**
 * Stage 1, load: read each YAML file once through the FileReader, parse it
 * with model/yaml-io (syntax errors and duplicate keys come with positions),
 * and read every kustomization directory's own file so later stages know
 * what each directory includes.
 */
import { posix } from 'node:path';
import { KUSTOMIZATION_FILE } from '../../model/layout';
import { keyLineOf, loadYamlFile, ParsedYamlFile } from '../../model/yaml-io';
import { FileReader, isYamlPath } from '../file-reader';
import { Scope, scopeOf } from '../scope';
import { Finding } from '../types';

/** File names kustomize accepts for a kustomization, in its own order of preference. */
export const KUSTOMIZATION_NAMES = [KUSTOMIZATION_FILE, 'kustomization.yml', 'Kustomization'] as const;

export interface KustomizationInfo {
  dir: string;
  file: string;
  kind: 'Kustomization' | 'Component';
  /** Kustomization directories it includes (resources, components, bases), relative to the root. */
  includes: string[];
  /** Files it reads (resources, patches, generator files), relative to the root. */
  files: string[];
  /** Of `files`, those kustomize reads as data, not YAML (configMapGenerator / secretGenerator files and env files). */
  dataFiles: string[];
  /** Entries naming a remote resource (a URL, `github.com/…`, `git@…`): kustomize would fetch them. */
  remote: string[];
  /** Entries whose path leaves the tree (`../` beyond the root). */
  outside: string[];
}

/** Deprecated kustomization fields and what replaces them. */
export const DEPRECATED_KUSTOMIZE_FIELDS: Record<string, string> = {
  bases: 'resources',
  patchesStrategicMerge: 'patches',
  patchesJson6902: 'patches',
  commonLabels: 'labels',
  vars: 'replacements',
  imageTags: 'images',
};

export class LoadedTree {
  readonly findings: Finding[] = [];
  private readonly files = new Map<string, ParsedYamlFile | null>();
  private readonly kustomizations = new Map<string, KustomizationInfo | null>();
  private readonly listings = new Map<string, string[]>();

  /** `scope` leaves out chart folders, excluded and .sourceignore'd paths (every listing goes through it). */
  constructor(
    readonly reader: FileReader,
    readonly scope: Scope = scopeOf(reader),
  ) {}

  /** The parsed file, or undefined when it does not exist or is not YAML. Parsed at most once. */
  file(path: string): ParsedYamlFile | undefined {
    if (!this.files.has(path)) this.files.set(path, this.parse(path));
    return this.files.get(path) ?? undefined;
  }

  /** Whether a file has been parsed in this run and had no YAML error. */
  parsedCleanly(path: string): boolean {
    const parsed = this.files.get(path);
    return !!parsed && parsed.errors.length === 0;
  }

  get fileCount(): number {
    return [...this.files.values()].filter(Boolean).length;
  }

  parsedFiles(): ParsedYamlFile[] {
    return [...this.files.values()].filter((f): f is ParsedYamlFile => f !== null);
  }

  /** The kustomization of a directory, or undefined when the directory has none. */
  kustomization(dir: string): KustomizationInfo | undefined {
    if (!this.kustomizations.has(dir)) this.kustomizations.set(dir, this.readKustomization(dir));
    return this.kustomizations.get(dir) ?? undefined;
  }

  /** Every kustomization directory a directory includes, transitively, itself first. */
  closure(dir: string): string[] {
    const seen = new Set<string>();
    const visit = (d: string) => {
      if (seen.has(d)) return;
      seen.add(d);
      for (const inc of this.kustomization(d)?.includes ?? []) visit(inc);
    };
    visit(dir);
    return [...seen];
  }

  /** Every YAML file below a directory, sorted. A directory below one listed before is not read again. */
  yamlFilesUnder(dir: string): string[] {
    const cached = this.listings.get(dir);
    if (cached) return cached;
    const ancestor = this.listedAncestor(dir);
    const files = ancestor ? sliceUnder(ancestor, dir) : this.scope.filter(this.reader.listFiles(dir).filter(isYamlPath));
    this.listings.set(dir, files);
    return files;
  }

  private listedAncestor(dir: string): string[] | undefined {
    for (let d = dir; d !== '';) {
      const slash = d.lastIndexOf('/');
      d = slash === -1 ? '' : d.slice(0, slash);
      const hit = this.listings.get(d);
      if (hit) return hit;
    }
    return undefined;
  }

  private parse(path: string): ParsedYamlFile | null {
    if (!isYamlPath(path) && posix.basename(path) !== 'Kustomization') return null;
    if (!this.reader.isFile(path)) return null;
    const parsed = loadYamlFile(path, this.reader.read(path));
    for (const e of parsed.errors) {
      const duplicate = e.code === 'DUPLICATE_KEY';
      this.findings.push({
        target: '',
        file: path,
        line: e.line,
        column: e.column,
        rule: duplicate ? 'yaml-duplicate-key' : 'yaml-syntax',
        severity: 'error',
        message: duplicate ? `${e.message} in ${path}.` : `${path} is not valid YAML: ${e.message}.`,
        hint: duplicate ? 'Keep one of the keys; YAML readers silently keep only the last one.' : 'Fix the YAML syntax at this position.',
      });
    }
    return parsed;
  }

  private readKustomization(dir: string): KustomizationInfo | null {
    const file = KUSTOMIZATION_NAMES.map((n) => posix.join(dir, n)).find((p) => this.reader.isFile(p));
    if (!file) return null;
    const parsed = this.file(file);
    const raw = (parsed?.documents[0]?.value ?? {}) as Record<string, unknown>;
    const info: KustomizationInfo = {
      dir,
      file,
      kind: raw.kind === 'Component' ? 'Component' : 'Kustomization',
      includes: [],
      files: [file],
      dataFiles: [],
      remote: [],
      outside: [],
    };
    for (const key of ['resources', 'components', 'bases']) {
      for (const entry of stringList(raw[key])) this.addEntry(info, entry);
    }
    for (const key of ['patchesStrategicMerge', 'crds']) {
      for (const entry of stringList(raw[key])) this.addEntry(info, entry);
    }
    for (const p of [...list(raw.patches), ...list(raw.patchesJson6902)]) {
      if (p && typeof (p as { path?: unknown }).path === 'string') this.addEntry(info, (p as { path: string }).path);
    }
    for (const g of [...list(raw.configMapGenerator), ...list(raw.secretGenerator)]) {
      const generator = (g ?? {}) as { files?: unknown; envs?: unknown; env?: unknown };
      const named = [
        ...stringList(generator.files).map((f) => (f.includes('=') ? f.slice(f.indexOf('=') + 1) : f)),
        ...stringList(generator.envs),
        ...stringList([generator.env]),
      ];
      for (const f of named) this.addEntry(info, f, true);
    }
    if (parsed) this.reportDeprecatedFields(info, parsed, raw);
    return info;
  }

  private addEntry(info: KustomizationInfo, entry: string, data = false): void {
    if (isRemoteEntry(entry)) return void info.remote.push(entry);
    const path = posix.normalize(posix.join(info.dir, entry));
    if (path === '..' || path.startsWith('../')) return void info.outside.push(path);
    if (this.reader.isDirectory(path)) info.includes.push(path === '.' ? '' : path);
    else {
      info.files.push(path);
      if (data) info.dataFiles.push(path);
    }
  }

  private reportDeprecatedFields(info: KustomizationInfo, parsed: ParsedYamlFile, raw: Record<string, unknown>): void {
    for (const [field, replacement] of Object.entries(DEPRECATED_KUSTOMIZE_FIELDS)) {
      if (!(field in raw)) continue;
      this.findings.push({
        target: '',
        file: info.file,
        line: keyLineOf(parsed, 0, [field]),
        rule: 'deprecated-api',
        severity: 'error',
        message: `Kustomization field '${field}' in ${info.file} is deprecated in kustomize v5.`,
        hint: `Use '${replacement}' instead ('kustomize edit fix' rewrites it).`,
      });
    }
  }
}

/** A kustomization entry kustomize would fetch over the network (offline it cannot be rendered). */
export function isRemoteEntry(entry: string): boolean {
  return /^[a-z]+:\/\//i.test(entry) || entry.startsWith('github.com/') || entry.startsWith('git@') || entry.startsWith('git::');
}

/** The paths of a sorted list that lie below `dir` (binary search for the first, then a run). */
function sliceUnder(sorted: string[], dir: string): string[] {
  const prefix = dir + '/';
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < sorted.length && sorted[end].startsWith(prefix)) end++;
  return sorted.slice(lo, end);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function stringList(v: unknown): string[] {
  return list(v).filter((x): x is string => typeof x === 'string');
}

/** Kubernetes objects (documents with apiVersion and kind) of a parsed file. */
export interface SourceObject {
  object: Record<string, unknown>;
  file: string;
  documentIndex: number;
}

export function objectsOf(file: ParsedYamlFile): SourceObject[] {
  return file.documents
    .filter((d) => isK8sObject(d.value))
    .map((d) => ({ object: d.value as Record<string, unknown>, file: file.path, documentIndex: d.index }));
}

export function isK8sObject(v: unknown): v is Record<string, unknown> {
  const o = v as Record<string, unknown> | null;
  return !!o && typeof o === 'object' && !Array.isArray(o) && typeof o.apiVersion === 'string' && typeof o.kind === 'string';
}
