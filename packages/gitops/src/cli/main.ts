/**
 * `mlops-gitops validate [dir]`: the validation engine on any tree, our
 * gitops/ layout or not (every kustomization directory and plain manifest,
 * as Flux's example repository validates itself).
 * `mlops-gitops preview --base <ref>`: what a change does in each environment (./preview.ts).
 */
import '../compile-cache';
import { existsSync, statSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import {
  clustersDir,
  componentDir,
  componentsDir,
  crdsDir,
  environmentEntry,
  GITOPS_ROOT,
  listComponentDirs,
  listEnvironmentDirs,
  platformFile,
} from '../model/layout';
import { GitopsInputError } from '../model/vocabulary';
import { formatReport, hasErrors, validate, ValidateRequest } from '../validation/engine';
import { directoryLister, diskReader, FileReader, isYamlPath } from '../validation/file-reader';
import { CliOptions, parseArgs, PreviewOptions, USAGE } from './args';
import { runPreview } from './preview';

export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

export function buildRequest(options: CliOptions, cwd = process.cwd()): ValidateRequest {
  const root = resolve(cwd, options.dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new GitopsInputError(`Directory '${options.dir}' does not exist; pass the root of a GitOps repository.`);
  }
  const crdsDir = options.crds === undefined ? undefined : relative(root, resolve(cwd, options.crds)).split(sep).join('/');
  if (options.crds !== undefined && (!existsSync(resolve(cwd, options.crds)) || crdsDir!.startsWith('..'))) {
    throw new GitopsInputError(`CRD folder '${options.crds}' does not exist inside '${options.dir}'.`);
  }
  const gitops = options.layout === 'gitops' || (options.layout === 'auto' && existsSync(join(root, platformFile())));
  if (options.layout === 'gitops' && !existsSync(join(root, platformFile()))) {
    throw new GitopsInputError(`Layout 'gitops' needs ${platformFile()} in '${options.dir}'; use --layout any for other trees.`);
  }
  return {
    root,
    targets: gitops ? layoutTargets(root) : [''],
    layout: gitops ? 'gitops' : 'any',
    kubectl: options.kubectl,
    crdsDir,
    ...(options.exclude.length ? { exclude: options.exclude } : {}),
  };
}

/**
 * Every component (a folder with component.yaml) and environment entry (with
 * environment.yaml), plus every other folder of gitops/ (shared sources, extra
 * manifests …) as an any-style target: its kustomizations rendered, its plain
 * manifests checked. So is a folder of YAML in components/ or clusters/ that
 * is neither: nothing in the tree goes unvalidated. CRD files are
 * configuration (they make CRs checkable), not objects to deploy.
 */
export function layoutTargets(root: string): string[] {
  const reader = diskReader(root);
  const files = directoryLister(reader);
  const targets = [
    ...listComponentDirs(files).map(({ layer, component }) => componentDir(layer, component)),
    ...listEnvironmentDirs(files).map((env) => environmentEntry(env)),
  ];
  const modelled = new Set([componentsDir(), clustersDir(), crdsDir()]);
  for (const other of files.children(GITOPS_ROOT)) {
    const dir = posix.join(GITOPS_ROOT, other);
    if (!modelled.has(dir)) targets.push(dir);
  }
  return [...targets, ...foldersOfOtherYaml(reader, [componentsDir(), clustersDir()], targets)];
}

/** The outermost folders holding YAML files below `dirs` that no target covers. */
function foldersOfOtherYaml(reader: FileReader, dirs: string[], targets: string[]): string[] {
  const covered = new Set(targets);
  const coveredByTarget = (path: string) => ancestors(path).some((a) => covered.has(a));
  const folders = new Set(
    dirs
      .flatMap((d) => reader.listFiles(d))
      .filter((f) => isYamlPath(f) && !coveredByTarget(f))
      .map((f) => posix.dirname(f)),
  );
  return [...folders].filter((f) => !ancestors(f).some((a) => folders.has(a))).sort();
}

/** `a/b/c` → `a/b`, `a`: the folders holding a path. */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) out.push(path.slice(0, i));
  return out;
}

export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  let options: CliOptions | PreviewOptions;
  let request: ValidateRequest;
  try {
    options = parseArgs(argv);
    if (options.command === 'help') {
      out.write(USAGE);
      return EXIT.ok;
    }
    if (options.command === 'preview') return await runPreview(options, out);
    request = buildRequest(options);
  } catch (e) {
    if (!(e instanceof GitopsInputError)) throw e;
    err.write(`mlops-gitops: ${e.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const report = await validate(request);
  out.write(formatReport(report, options.format));
  return hasErrors(report) ? EXIT.invalid : EXIT.ok;
}

/** Runs the command for `bin/mlops-gitops.js` and sets the process exit code. */
export function run(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      process.stderr.write(`mlops-gitops: internal error: ${e.stack ?? e.message}\n`);
      process.exitCode = EXIT.usage;
    },
  );
}

// `node dist/cli/main.js …` works too, as the bin does.
if (require.main === module) run(process.argv.slice(2));
