/**
 * What a run leaves out on purpose: Helm chart folders (a folder with `Chart.yaml` holds
 * templates, not manifests), paths matching `--exclude`, and what the tree's `.sourceignore`
 * files exclude (Flux's source-controller leaves those out of the artifact it deploys).
 * Patterns use .gitignore syntax, as `.sourceignore` and Flux's `--ignore-paths` do.
 */
import ignore, { Ignore } from 'ignore';
import { posix } from 'node:path';
import type { FileReader } from './file-reader';
import type { SkippedPath } from './types';

export const SOURCEIGNORE = '.sourceignore';
export const CHART_FILE = 'Chart.yaml';

export interface Scope {
  /** The files of a listing that the run covers. */
  filter(files: string[]): string[];
  /** What was left out, outermost folders first (charts as their folder). */
  skipped(): SkippedPath[];
}

/** The scope of a run over `reader`; `.sourceignore` files are read when a listing reaches them. */
export function scopeOf(reader: FileReader, exclude: readonly string[] = []): Scope {
  const excluded = exclude.length ? ignore().add([...exclude]) : undefined;
  const sourceignores = new Map<string, Ignore | null>();
  const skipped = new Map<string, SkippedPath>();
  const sourceignoreOf = (dir: string): Ignore | null => {
    if (!sourceignores.has(dir)) {
      const file = dir ? posix.join(dir, SOURCEIGNORE) : SOURCEIGNORE;
      sourceignores.set(dir, reader.isFile(file) ? ignore().add(reader.read(file)) : null);
    }
    return sourceignores.get(dir)!;
  };
  const skip = (path: string, reason: SkippedPath['reason']) => {
    if (![...skipped.keys()].some((p) => p === '.' || path === p || path.startsWith(p + '/'))) skipped.set(path, { path, reason });
    return false;
  };
  /** The outermost folder of `file` that a matcher ignores as a folder, else the file. */
  const outermost = (file: string, ignores: (path: string) => boolean) => {
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (ignores(dir + '/')) return dir;
    }
    return file;
  };
  return {
    filter(files) {
      const charts = files.filter((f) => posix.basename(f) === CHART_FILE).map((f) => posix.dirname(f));
      return files.filter((f) => {
        const chart = charts.find((c) => c === '.' || f.startsWith(c + '/'));
        if (chart !== undefined) return skip(chart, 'helm-chart');
        if (excluded?.ignores(f))
          return skip(
            outermost(f, (p) => excluded.ignores(p)),
            'excluded',
          );
        const by = ancestors(f).find((dir) => sourceignoreOf(dir)?.ignores(relativeTo(dir, f)));
        if (by !== undefined)
          return skip(
            outermost(f, (p) => under(by, p) && !!sourceignoreOf(by)?.ignores(relativeTo(by, p))),
            'sourceignore',
          );
        return true;
      });
    },
    skipped: () => [...skipped.values()].sort((a, b) => a.path.localeCompare(b.path)),
  };
}

/** '' and every folder above a file, outermost first. */
function ancestors(file: string): string[] {
  const parts = file.split('/').slice(0, -1);
  return ['', ...parts.map((_, i) => parts.slice(0, i + 1).join('/'))];
}

/** Whether `path` lies strictly below `dir`. */
const under = (dir: string, path: string) => path.length > dir.length + 1 && (dir === '' || path.startsWith(dir + '/'));
const relativeTo = (dir: string, path: string) => (dir ? path.slice(dir.length + 1) : path);
