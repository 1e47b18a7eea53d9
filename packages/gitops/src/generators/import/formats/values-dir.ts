/**
 * A values folder of one release, as push scripts keep them: `<release>.yaml` for every
 * environment, and `<env>/<release>.yaml` or `<release>-<env>.yaml` for one environment (merged
 * over the shared file, as `helm -f shared -f env` does). The chart comes from the command line
 * (--chart, --repo, --chart-version) or the catalog, as the component generator takes them.
 */
import { posix } from 'node:path';
import { ChartRef } from '../../../model/component';
import { GitopsInputError } from '../../../model/vocabulary';
import { EVERY_ENVIRONMENT, ParsedSource, SkipItem, SkippedItem, SourceFiles } from './source';
import { mergeAll, readValuesFile, Values } from './values';

export interface ValuesDirOptions {
  /** --release; else the one release the folder holds. */
  release?: string;
  /** The chart and namespace from the command line or the catalog, once the release is known. */
  chartFor(release: string): { chart: ChartRef; version?: string; namespace?: string };
  /** The tree's environment names, to recognise `<release>-<env>.yaml` and `<env>/`. */
  environments: string[];
}

const VALUES_FILE = /^(.+)\.ya?ml$/;

interface Found {
  release: string;
  env: string;
  path: string;
}

function findValuesFiles(files: SourceFiles, dir: string, environments: string[], skipped: SkippedItem[]): Found[] {
  const found: Found[] = [];
  for (const child of [...files.children(dir)].sort()) {
    const path = posix.join(dir, child);
    if (!files.isFile(path)) {
      if (!environments.includes(child)) {
        skipped.push({
          file: path,
          line: 1,
          what: `folder ${child}/`,
          reason: `no environment '${child}' in the tree (${environments.join(', ')}); create it first with 'nx g @mlops/gitops:environment ${child}'`,
        });
        continue;
      }
      for (const f of [...files.children(path)].sort()) {
        const m = f.match(VALUES_FILE);
        if (m && files.isFile(posix.join(path, f))) found.push({ release: m[1], env: child, path: posix.join(path, f) });
      }
      continue;
    }
    const m = child.match(VALUES_FILE);
    if (!m) continue;
    const env = environments.find((e) => m[1].endsWith(`-${e}`));
    found.push(env ? { release: m[1].slice(0, -env.length - 1), env, path } : { release: m[1], env: EVERY_ENVIRONMENT, path });
  }
  return found;
}

function pickRelease(found: Found[], dir: string, asked?: string): string {
  const names = [...new Set(found.map((f) => f.release))].sort();
  if (asked !== undefined) {
    if (!names.includes(asked)) throw new GitopsInputError(`${dir} has no values of release '${asked}'; it has: ${names.join(', ') || '(none)'}.`);
    return asked;
  }
  if (names.length !== 1) {
    throw new GitopsInputError(
      `${dir} holds values of ${names.length ? names.join(', ') : 'no release'}; import one release at a time with --release <name> (and --chart, --repo, --chart-version).`,
    );
  }
  return names[0];
}

/** Shared values alone, or per environment: the shared file merged under each environment's own (environments without one get the shared values). */
function valuesByEnvironment(files: SourceFiles, mine: Found[], environments: string[]): Map<string, Values> {
  const shared = mine.find((f) => f.env === EVERY_ENVIRONMENT);
  const sharedValues = shared ? readValuesFile(files, shared.path) : undefined;
  const perEnv = mine.filter((f) => f.env !== EVERY_ENVIRONMENT);
  if (perEnv.length === 0) return new Map([[EVERY_ENVIRONMENT, sharedValues ?? {}]]);
  const own = new Map(perEnv.map((f) => [f.env, readValuesFile(files, f.path)]));
  const envs = sharedValues ? environments : [...own.keys()];
  return new Map(envs.map((env) => [env, mergeAll([sharedValues ?? {}, own.get(env) ?? {}])]));
}

/** A values file that cannot be read is refused here: the folder holds one release, there is nothing else to import. */
function valuesOf(files: SourceFiles, mine: Found[], environments: string[]): Map<string, Values> {
  try {
    return valuesByEnvironment(files, mine, environments);
  } catch (e) {
    if (e instanceof SkipItem) throw new GitopsInputError(`${e.message}.`);
    throw e;
  }
}

export function readValuesDir(files: SourceFiles, dir: string, o: ValuesDirOptions): ParsedSource {
  const skipped: SkippedItem[] = [];
  const found = findValuesFiles(files, dir, o.environments, skipped);
  const release = pickRelease(found, dir, o.release);
  const mine = found.filter((f) => f.release === release);
  const { chart, version, namespace } = o.chartFor(release);
  return {
    format: 'values-dir',
    items: [
      {
        kind: 'helm',
        name: release,
        namespace,
        chart,
        version,
        values: valuesOf(files, mine, o.environments),
        needs: [],
        at: { file: mine[0].path, line: 1 },
      },
    ],
    skipped,
  };
}
