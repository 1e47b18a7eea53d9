/**
 * The validation engine reads files through this small read-only interface:
 * a disk adapter for the CLI and executor, an in-memory one for tests.
 * Paths are POSIX, relative to the reader's root ('' is the root itself).
 */
import { createHash } from 'node:crypto';
import { Dirent, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { DirectoryLister } from '../model/layout';

export interface FileReader {
  /** Absolute directory the relative paths start from (kustomize reads the disk there). */
  readonly root: string;
  read(path: string): string;
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
  /** Every file below `dir`, recursively, relative to the root, sorted. */
  listFiles(dir: string): string[];
  /** The immediate sub-directories of `dir` (names only), sorted. */
  listDirs(dir: string): string[];
  /** Everything directly in `dir`, files and sub-directories (names only), sorted. */
  listEntries(dir: string): string[];
}

const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.nx', 'dist']);

/**
 * The disk as one run sees it: each directory is listed once, and a path's
 * kind is answered from its parent's listing (a tree of thousands of files is
 * asked about each several times; one readdir per directory replaces a stat
 * per question), and each file is read once (drift, the loader and the caches
 * all read the derived files). A run does not write into the tree it reads, so
 * a listing and a text stay true for the reader's life; make a new reader for a
 * new run.
 */
export function diskReader(root: string): FileReader {
  const abs = (p: string) => (p ? join(root, p) : root);
  const listings = new Map<string, Map<string, Dirent>>();
  const entries = (dir: string): Map<string, Dirent> => {
    let listing = listings.get(dir);
    if (!listing) {
      listing = new Map();
      try {
        for (const e of readdirSync(abs(dir), { withFileTypes: true })) listing.set(e.name, e);
      } catch {
        // not a directory, or not there: an empty listing
      }
      listings.set(dir, listing);
    }
    return listing;
  };
  /** A path's kind from its parent's listing; a symbolic link is followed as stat follows it. */
  const kindOf = (path: string): 'file' | 'dir' | undefined => {
    const p = posix.normalize(path).replace(/\/+$/, '');
    if (!p || p === '.') return 'dir';
    const slash = p.lastIndexOf('/');
    const e = entries(slash === -1 ? '' : p.slice(0, slash)).get(slash === -1 ? p : p.slice(slash + 1));
    if (!e) return undefined;
    if (e.isSymbolicLink()) {
      try {
        const s = statSync(abs(p));
        return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : undefined;
      } catch {
        return undefined;
      }
    }
    return e.isFile() ? 'file' : e.isDirectory() ? 'dir' : undefined;
  };
  const listed = (dir: string) => [...entries(dir).values()];
  const listFiles = (dir: string): string[] => {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of listed(d)) {
        const p = d ? posix.join(d, e.name) : e.name;
        if (e.isDirectory()) {
          if (!SKIPPED_DIRS.has(e.name)) walk(p);
        } else if (e.isFile()) out.push(p);
      }
    };
    walk(dir);
    return out.sort();
  };
  const texts = new Map<string, string>();
  return {
    root,
    read: (p) => {
      let text = texts.get(p);
      if (text === undefined) texts.set(p, (text = readFileSync(abs(p), 'utf8')));
      return text;
    },
    isFile: (p) => kindOf(p) === 'file',
    isDirectory: (p) => kindOf(p) === 'dir',
    listFiles,
    listDirs: (dir) =>
      listed(dir)
        .filter((e) => e.isDirectory() && !SKIPPED_DIRS.has(e.name))
        .map((e) => e.name)
        .sort(),
    listEntries: (dir) =>
      listed(dir)
        .filter((e) => (e.isDirectory() && !SKIPPED_DIRS.has(e.name)) || e.isFile())
        .map((e) => e.name)
        .sort(),
  };
}

/** A reader over a map of path → text (tests). `root` is only used for rendering. */
export function memoryReader(files: Record<string, string>, root = '/memory'): FileReader {
  const paths = Object.keys(files).sort();
  const under = (dir: string) => (dir ? paths.filter((p) => p.startsWith(dir + '/')) : paths);
  return {
    root,
    read: (p) => {
      if (!(p in files)) throw new Error(`${p}: no such file`);
      return files[p];
    },
    isFile: (p) => p in files,
    isDirectory: (p) => p === '' || under(p).length > 0,
    listFiles: under,
    listDirs: (dir) => {
      const names = new Set<string>();
      for (const p of under(dir)) {
        const rest = dir ? p.slice(dir.length + 1) : p;
        if (rest.includes('/')) names.add(rest.split('/')[0]);
      }
      return [...names].sort();
    },
    listEntries: (dir) => [...new Set(under(dir).map((p) => (dir ? p.slice(dir.length + 1) : p).split('/')[0]))].sort(),
  };
}

/** The reader as the tree's listings (model/layout.ts listComponentDirs, listEnvironmentDirs) read it. */
export function directoryLister(reader: FileReader): DirectoryLister {
  return { children: (dir) => reader.listDirs(dir), isFile: (path) => reader.isFile(path) };
}

export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/**
 * Every answer a reader gave, by question (`read`, `isFile`, `listFiles` … and the path), as a
 * short digest: what a result computed through the reader depended on, so that a cached result
 * can be reused exactly while the disk still gives the same answers.
 */
export type ReaderAnswers = Record<string, string>;

/** A reader that notes each answer it passes on (see ReaderAnswers). */
export function recordingReader(reader: FileReader): { reader: FileReader; answers: ReaderAnswers } {
  const answers: ReaderAnswers = {};
  const noted =
    <T>(question: keyof Omit<FileReader, 'root'>, ask: (path: string) => T) =>
    (path: string): T => {
      const key = `${question}\0${path}`;
      try {
        const answer = ask(path);
        answers[key] = answerDigest(answer);
        return answer;
      } catch (e) {
        answers[key] = FAILED;
        throw e;
      }
    };
  return {
    answers,
    reader: {
      root: reader.root,
      read: noted('read', (p) => reader.read(p)),
      isFile: noted('isFile', (p) => reader.isFile(p)),
      isDirectory: noted('isDirectory', (p) => reader.isDirectory(p)),
      listFiles: noted('listFiles', (p) => reader.listFiles(p)),
      listDirs: noted('listDirs', (p) => reader.listDirs(p)),
      listEntries: noted('listEntries', (p) => reader.listEntries(p)),
    },
  };
}

/** Whether the reader gives every noted answer again. */
export function givesSameAnswers(reader: FileReader, answers: ReaderAnswers): boolean {
  for (const [key, digest] of Object.entries(answers)) {
    const split = key.indexOf('\0');
    const question = key.slice(0, split) as keyof Omit<FileReader, 'root'>;
    const path = key.slice(split + 1);
    if (typeof reader[question] !== 'function') return false;
    let answer: string;
    try {
      answer = answerDigest((reader[question] as (p: string) => unknown)(path));
    } catch {
      answer = FAILED;
    }
    if (answer !== digest) return false;
  }
  return true;
}

const FAILED = '\0failed';

function answerDigest(answer: unknown): string {
  if (typeof answer === 'boolean') return answer ? '1' : '0';
  const text = Array.isArray(answer) ? answer.join('\0') : String(answer);
  return createHash('sha1').update(text).digest('base64');
}
