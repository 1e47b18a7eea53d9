/**
 * The one cache of the package: values kept between runs under a hash of the
 * content they are computed from. Validation keeps renders, schema verdicts
 * and the tree model in it; the graph plugin keeps its results in it.
 *
 * Two places to keep entries, one format:
 * - `folderStore`: one JSON file per key in a folder (many large entries, of
 *   which a run reads a few: kustomize renders), pruned to the newest N;
 * - `fileStore`: every entry in one JSON file (small entries a run reads all
 *   of: schema verdicts, the tree model, graph results), rewritten when
 *   something changed, without the entries this run did not use.
 *
 * Writes go to a temporary file that is then renamed, so concurrent runs never
 * read half an entry; what does not parse is ignored (computed again). A
 * cache that cannot be written only costs speed.
 *
 * `memoise` is the decorator the stages are wrapped in: the stage stays a
 * pure function from its inputs to its outputs, and never knows about this.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ContentStore<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  /** Makes what was set durable (fileStore) and bounds the size (folderStore). */
  save(): void;
}

/** sha256 over the parts, each separated so that no two lists of parts hash alike. */
export function hashParts(parts: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p).update('\0');
  return hash.digest('hex');
}

/** The parsed JSON file, or undefined when it is missing or does not parse. */
export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

let temporaries = 0;

/** Writes JSON through a temporary file and a rename; false when it could not be written. */
export function writeJsonAtomic(path: string, value: unknown): boolean {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const temp = join(dirname(path), `.${process.pid}.${temporaries++}.tmp`);
    writeFileSync(temp, JSON.stringify(value));
    renameSync(temp, path);
    return true;
  } catch {
    return false;
  }
}

interface Stamped<V> {
  format: string;
  key: string;
  value: V;
}

/** One JSON file per key in `folder`; `save` prunes it to the newest `maxEntries`. */
export function folderStore<V>(folder: string, format: string, maxEntries: number): ContentStore<V> {
  const pathOf = (key: string) => join(folder, `${key}.json`);
  return {
    get(key) {
      const entry = readJson<Stamped<V>>(pathOf(key));
      return entry?.format === format && entry.key === key ? entry.value : undefined;
    },
    set(key, value) {
      writeJsonAtomic(pathOf(key), { format, key, value } satisfies Stamped<V>);
    },
    save: () => pruneFolder(folder, maxEntries),
  };
}

/**
 * Every entry in one JSON file, read on first use; `save` rewrites it when
 * something was set, keeping the stored entries too unless they are more than
 * `maxEntries` (then only those this run used or set).
 */
export function fileStore<V>(path: string, format: string, maxEntries = Infinity): ContentStore<V> {
  let stored: Record<string, V> | undefined;
  const used: Record<string, V> = {};
  let changed = false;
  const all = () => {
    if (!stored) {
      const file = readJson<{ format?: string; entries?: Record<string, V> }>(path);
      stored = file?.format === format && file.entries && typeof file.entries === 'object' ? file.entries : {};
    }
    return stored;
  };
  return {
    get(key) {
      const value = used[key] ?? all()[key];
      if (value !== undefined) used[key] = value;
      return value;
    },
    set(key, value) {
      used[key] = value;
      changed = true;
    },
    save() {
      if (!changed) return;
      const merged = { ...all(), ...used };
      writeJsonAtomic(path, {
        format,
        entries: Object.keys(merged).length > maxEntries ? used : merged,
      });
      stored = merged;
      changed = false;
    },
  };
}

/** A batch computation wrapped by `memoise`. */
export interface Memoised<I, O> {
  (inputs: I[]): Promise<{ outputs: Map<I, O>; hits: number }>;
  /** The stored output of an input, if there is one still valid (read once per input). */
  stored(input: I): O | undefined;
}

/**
 * Wraps a batch computation so that inputs with a stored output are not
 * computed again. `key` says under which content hash an input's output is
 * kept (undefined: not cacheable); `accept` may still refuse a stored output
 * (e.g. when a file it read has changed since); `keep` may refuse to store one.
 */
export function memoise<I, O>(
  store: ContentStore<O> | undefined,
  spec: {
    key(input: I): string | undefined;
    accept?(output: O): boolean;
    keep?(input: I, output: O): O | undefined;
  },
  compute: (inputs: I[]) => Promise<Map<I, O>>,
): Memoised<I, O> {
  const looked = new Map<I, { key?: string; output?: O }>();
  const lookup = (input: I) => {
    let hit = looked.get(input);
    if (!hit) {
      const key = store ? spec.key(input) : undefined;
      const output = key === undefined ? undefined : store!.get(key);
      hit = {
        key,
        output: output !== undefined && (spec.accept?.(output) ?? true) ? output : undefined,
      };
      looked.set(input, hit);
    }
    return hit;
  };
  const run = async (inputs: I[]) => {
    const outputs = new Map<I, O>();
    const misses = inputs.filter((input) => {
      const { output } = lookup(input);
      if (output !== undefined) outputs.set(input, output);
      return output === undefined;
    });
    const hits = outputs.size;
    for (const [input, output] of misses.length ? await compute(misses) : new Map<I, O>()) {
      outputs.set(input, output);
      const { key } = lookup(input);
      const kept = key === undefined ? undefined : spec.keep ? spec.keep(input, output) : output;
      if (kept !== undefined) store!.set(key!, kept);
    }
    store?.save();
    return { outputs, hits };
  };
  return Object.assign(run, { stored: (input: I) => lookup(input).output });
}

/** A hash of the code files in `dirs` (recursively): a rebuilt package never reuses what older code computed. Once per process. */
export function codeVersion(dirs: string[]): string {
  const id = dirs.join('\0');
  let version = codeVersions.get(id);
  if (version === undefined) codeVersions.set(id, (version = hashCode(dirs)));
  return version;
}

/** The code a process runs does not change while it runs. */
const codeVersions = new Map<string, string>();

function hashCode(dirs: string[]): string {
  const parts: string[] = [];
  const visit = (dir: string, base: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (/\.(js|ts|json|ya?ml)$/.test(name) && !/\.(d|spec)\.ts$/.test(name)) parts.push(path.slice(base.length), readFileSync(path, 'utf8'));
      else if (!name.includes('.') && statSync(path).isDirectory()) visit(path, base);
    }
  };
  for (const dir of dirs) visit(dir, dirname(dir));
  return hashParts(parts);
}

function pruneFolder(folder: string, maxEntries: number): void {
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => n.endsWith('.json'));
  } catch {
    return;
  }
  if (names.length <= maxEntries) return;
  const aged = names
    .map((n) => {
      try {
        return { n, t: statSync(join(folder, n)).mtimeMs };
      } catch {
        return { n, t: 0 };
      }
    })
    .sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, names.length - maxEntries)) {
    try {
      unlinkSync(join(folder, n));
    } catch {
      // removed by a concurrent run
    }
  }
}
