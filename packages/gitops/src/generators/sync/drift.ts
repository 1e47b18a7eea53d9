/**
 * What the sync generator found different, one entry per file and reason. The text a file had
 * before the first change is kept, so formatting that restores it is not reported as drift.
 */
import { Tree } from '@nx/devkit';
import { readText } from '../shared/workspace';

export interface Drift {
  /** Workspace-relative path of the derived file. */
  file: string;
  /** What differed, naming the source of truth, e.g. "dependsOn differs from component.yaml". */
  reason: string;
}

export class DriftLog {
  private readonly entries: Drift[] = [];
  private readonly before = new Map<string, string | null>();

  constructor(private readonly tree: Tree) {}

  /** Runs `apply` on `file`; when it reports a change, records `reason`. */
  check(file: string, reason: string | (() => string), apply: () => boolean): boolean {
    const text = readText(this.tree, file);
    if (!apply()) return false;
    if (!this.before.has(file)) this.before.set(file, text);
    this.entries.push({ file, reason: typeof reason === 'string' ? reason : reason() });
    return true;
  }

  /** The recorded drift of files whose text really differs from before the run. */
  changes(): Drift[] {
    return this.entries.filter((d) => readText(this.tree, d.file) !== this.before.get(d.file));
  }
}

/** The result Nx prints: one line naming the files, and one detail line per file and reason. */
export function outOfSync(drift: Drift[], listFiles: (names: string[]) => string): { outOfSyncMessage: string; outOfSyncDetails: string[] } {
  const files = [...new Set(drift.map((d) => d.file))].sort();
  const noun = files.length === 1 ? 'file of the GitOps tree differs' : 'files of the GitOps tree differ';
  return {
    outOfSyncMessage: `${files.length} derived ${noun} from their sources of truth: ${listFiles(files)}.`,
    outOfSyncDetails: [...drift].sort((a, b) => a.file.localeCompare(b.file)).map((d) => `  ${d.file}: ${d.reason}`),
  };
}
