/**
 * A commit's GitOps tree, read through git and never through the work tree: one `git ls-tree` lists
 * the files under the tree's root, one `git cat-file --batch` reads them all. It is a TreeView, so
 * the tree model and the engines read a base or head commit the same way they read the disk.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TreeView } from '../derive/tree-view';
import { GitopsInputError } from '../model/vocabulary';

export interface GitSnapshot extends TreeView {
  /** The ref as the user named it (shown in reports). */
  ref: string;
  /** The commit it resolved to. */
  commit: string;
  /** Every file under the tree's root, sorted. */
  paths(): string[];
  /** The blob id of a file: two snapshots hold the same content where the ids are equal. */
  blob(path: string): string | undefined;
  /** Writes the files under `dirs` into `target` (same relative paths), for kustomize to build. */
  materialise(dirs: readonly string[], target: string): void;
}

const MAX_BUFFER = 1 << 30;

export function git(cwd: string, args: string[], input?: Buffer | string): Buffer {
  return execFileSync('git', args, { cwd, input, maxBuffer: MAX_BUFFER, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function resolveCommit(cwd: string, ref: string): string {
  try {
    return git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
      .toString()
      .trim();
  } catch {
    throw new GitopsInputError(`Git ref '${ref}' is not a commit in ${cwd}; pass a branch, tag or commit (e.g. origin/main, HEAD~1).`);
  }
}

/** The files under `root` at `ref`, their contents read in one batch. */
export function gitSnapshot(cwd: string, ref: string, root: string): GitSnapshot {
  const commit = resolveCommit(cwd, ref);
  const blobs = listBlobs(cwd, commit, root);
  const texts = readBlobs(cwd, [...new Set(blobs.values())]);
  const dirs = childrenIndex([...blobs.keys()]);
  const read = (path: string) => {
    const id = blobs.get(path);
    return id === undefined ? null : texts.get(id)!;
  };
  return {
    ref,
    commit,
    read,
    isFile: (path) => blobs.has(path),
    children: (dir) => [...(dirs.get(dir) ?? [])].sort(),
    paths: () => [...blobs.keys()].sort(),
    blob: (path) => blobs.get(path),
    materialise(wanted, target) {
      for (const path of blobs.keys()) {
        if (!wanted.some((d) => path.startsWith(`${d}/`))) continue;
        const file = join(target, path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, read(path)!);
      }
    },
  };
}

/** path → blob id of every regular file under `root`. */
function listBlobs(cwd: string, commit: string, root: string): Map<string, string> {
  const out = git(cwd, ['ls-tree', '-r', '-z', commit, '--', root]).toString();
  const blobs = new Map<string, string>();
  for (const entry of out.split('\0')) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const [, type, id] = entry.slice(0, tab).split(' ');
    if (type === 'blob') blobs.set(entry.slice(tab + 1), id);
  }
  return blobs;
}

/** Contents of the given blobs, by id: `git cat-file --batch` answers `<id> blob <size>\n<bytes>\n` for each. */
function readBlobs(cwd: string, ids: string[]): Map<string, string> {
  const texts = new Map<string, string>();
  if (ids.length === 0) return texts;
  const out = git(cwd, ['cat-file', '--batch'], ids.join('\n') + '\n');
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at);
    const [id, , size] = out.subarray(at, eol).toString().split(' ');
    const start = eol + 1;
    const end = start + Number(size);
    texts.set(id, out.subarray(start, end).toString('utf8'));
    at = end + 1;
  }
  return texts;
}

/** dir → names of its files and folders. */
function childrenIndex(paths: string[]): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!index.has(dir)) index.set(dir, new Set());
      index.get(dir)!.add(parts[i]);
    }
  }
  return index;
}
