/** Command-line arguments of `mlops-gitops`, parsed and refused in one place. */
import { GitopsInputError, oneOf } from '../model/vocabulary';
import { Format, FORMATS as PREVIEW_FORMATS } from '../preview/report';
import { FORMATS } from '../validation/report';

export { FORMATS };
export const LAYOUTS = ['auto', 'gitops', 'any'] as const;

export const COMMANDS = ['validate', 'preview'] as const;

export interface CliOptions {
  command: 'validate' | 'help';
  dir: string;
  format: (typeof FORMATS)[number];
  layout: (typeof LAYOUTS)[number];
  crds?: string;
  kubectl?: string;
  /** .gitignore-style patterns of paths to leave out (`--exclude`, repeatable). */
  exclude: string[];
}

export interface PreviewOptions {
  command: 'preview';
  base: string;
  head: string;
  format: Format;
  output?: string;
  /** Only this Nx project (a component, or env-<environment>): the inferred preview target passes it. */
  project?: string;
  kubectl?: string;
}

export const USAGE = `Usage: mlops-gitops validate [dir] [options]
       mlops-gitops preview --base <git-ref> [--head <git-ref>] [options]

validate: validates a GitOps tree offline: YAML, kustomize renders (kubectl kustomize),
schemas (kubernetes-models, or your CRDs), references and policy.

  dir                  directory to validate (default: the current directory)
  --format <format>    output format: ${FORMATS.join(' | ')} (default: human; sarif: SARIF 2.1.0 for code scanning)
  --layout <layout>    ${LAYOUTS.join(' | ')} (default: auto = gitops when <dir>/gitops/platform.yaml exists)
  --crds <dir>         folder of CustomResourceDefinition files; CRs of their kinds are schema-checked
                       (gitops layout default: gitops/crds)
  --kubectl <path>     kubectl binary that renders kustomizations (default: kubectl on PATH)
  --exclude <pattern>  leave out paths matching a .gitignore-style pattern, relative to dir
                       (repeatable); the tree's .sourceignore files and Helm chart folders
                       (a Chart.yaml) are left out as well

preview: what a change does in each environment, offline: chart versions, effective values
(merged as Flux and Argo CD merge them), rendered objects, and what each engine will do.
Both commits are read through git; the work tree is not touched. Run it in the repository.

  --base <git-ref>     the commit to compare with (e.g. origin/main; default: $NX_BASE)
  --head <git-ref>     the commit with the change (default: $NX_HEAD, else HEAD)
  --format <format>    ${PREVIEW_FORMATS.join(' | ')} (default: text); markdown is a pull-request comment
  --output <file>      write the report to a file instead of standard output
  --project <name>     only this Nx project: a component, or env-<environment>
  --kubectl <path>     kubectl binary that renders kustomizations (default: kubectl on PATH)

  -h, --help           show this help

Exit codes: 0 no errors (preview: whatever it shows), 1 validation errors, 2 usage errors.
`;

const VALIDATE_FLAGS = ['--format', '--layout', '--crds', '--kubectl', '--exclude'] as const;
/** Flags that may be given more than once; each value is kept. */
const REPEATABLE = new Set<string>(['--exclude']);
const PREVIEW_FLAGS = ['--base', '--head', '--format', '--output', '--project', '--kubectl'] as const;

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions | PreviewOptions {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help') || argv[0] === 'help') {
    return { command: 'help', dir: '.', format: 'human', layout: 'auto', exclude: [] };
  }
  const [command, ...rest] = argv;
  if (!(COMMANDS as readonly string[]).includes(command))
    throw new GitopsInputError(`Command '${command}' is not known; must be one of: ${COMMANDS.join(', ')}.`);
  return command === 'preview' ? previewOptions(rest, env) : validateOptions(rest);
}

function validateOptions(rest: string[]): CliOptions {
  const { values, repeated, positional } = parseFlags(rest, VALIDATE_FLAGS);
  if (positional.length > 1) throw new GitopsInputError(`Expected one directory; got ${positional.map((p) => `'${p}'`).join(', ')}.`);
  return {
    command: 'validate',
    dir: positional[0] ?? '.',
    format: oneOf('Format', values['--format'] ?? 'human', FORMATS),
    layout: oneOf('Layout', values['--layout'] ?? 'auto', LAYOUTS),
    crds: values['--crds'],
    kubectl: values['--kubectl'],
    exclude: repeated['--exclude'] ?? [],
  };
}

/** `--base` falls back to NX_BASE and `--head` to NX_HEAD, which `nx affected` and nrwl/nx-set-shas use. */
function previewOptions(rest: string[], env: NodeJS.ProcessEnv): PreviewOptions {
  const { values, positional } = parseFlags(rest, PREVIEW_FLAGS);
  if (positional.length) throw new GitopsInputError(`preview takes no arguments; got ${positional.map((p) => `'${p}'`).join(', ')}.`);
  const base = values['--base'] ?? env.NX_BASE;
  if (!base) throw new GitopsInputError(`preview needs --base <git-ref> (or NX_BASE): the commit to compare with, e.g. --base origin/main.`);
  return {
    command: 'preview',
    base,
    head: values['--head'] ?? env.NX_HEAD ?? 'HEAD',
    format: oneOf('Format', values['--format'] ?? 'text', PREVIEW_FORMATS),
    output: values['--output'],
    project: values['--project'],
    kubectl: values['--kubectl'],
  };
}

function parseFlags(
  rest: string[],
  flags: readonly string[],
): { values: Record<string, string>; repeated: Record<string, string[]>; positional: string[] } {
  const values: Record<string, string> = {};
  const repeated: Record<string, string[]> = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flags.includes(flag)) {
      const value = inline ?? rest[++i];
      if (value === undefined || value === '') throw new GitopsInputError(`Option '${flag}' needs a value.`);
      if (REPEATABLE.has(flag)) (repeated[flag] ??= []).push(value);
      else values[flag] = value;
    } else if (arg.startsWith('-')) {
      throw new GitopsInputError(`Option '${arg}' is not known; must be one of: ${flags.join(', ')}, --help.`);
    } else positional.push(arg);
  }
  return { values, repeated, positional };
}
