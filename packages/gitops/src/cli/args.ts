/** Command-line arguments of `mlops-gitops`, parsed and refused in one place. */
import { GitopsInputError, oneOf } from '../model/vocabulary';
import { FORMATS } from '../validation/report';

export { FORMATS };
export const LAYOUTS = ['auto', 'gitops', 'any'] as const;

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

export const USAGE = `Usage: mlops-gitops validate [dir] [options]

Validates a GitOps tree offline: YAML, kustomize renders (kubectl kustomize),
schemas (kubernetes-models, or your CRDs), references and policy.

Arguments:
  dir                  directory to validate (default: the current directory)

Options:
  --format <format>    output format: ${FORMATS.join(' | ')} (default: human; sarif: SARIF 2.1.0 for code scanning)
  --layout <layout>    ${LAYOUTS.join(' | ')} (default: auto = gitops when <dir>/gitops/platform.yaml exists)
  --crds <dir>         folder of CustomResourceDefinition files; CRs of their kinds are schema-checked
                       (gitops layout default: gitops/crds)
  --kubectl <path>     kubectl binary that renders kustomizations (default: kubectl on PATH)
  --exclude <pattern>  leave out paths matching a .gitignore-style pattern, relative to dir
                       (repeatable); the tree's .sourceignore files and Helm chart folders
                       (a Chart.yaml) are left out as well
  -h, --help           show this help

Exit codes: 0 no errors, 1 validation errors, 2 usage errors.
`;

const VALUE_FLAGS = ['--format', '--layout', '--crds', '--kubectl', '--exclude'] as const;
/** Flags that may be given more than once; each value is kept. */
const REPEATABLE = new Set<string>(['--exclude']);

export function parseArgs(argv: string[]): CliOptions {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help') || argv[0] === 'help') {
    return { command: 'help', dir: '.', format: 'human', layout: 'auto', exclude: [] };
  }
  const [command, ...rest] = argv;
  if (command !== 'validate') throw new GitopsInputError(`Command '${command}' is not known; must be one of: validate.`);
  const values: Record<string, string> = {};
  const repeated: Record<string, string[]> = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if ((VALUE_FLAGS as readonly string[]).includes(flag)) {
      const value = inline ?? rest[++i];
      if (value === undefined || value === '') throw new GitopsInputError(`Option '${flag}' needs a value.`);
      if (REPEATABLE.has(flag)) (repeated[flag] ??= []).push(value);
      else values[flag] = value;
    } else if (arg.startsWith('-')) {
      throw new GitopsInputError(`Option '${arg}' is not known; must be one of: ${VALUE_FLAGS.join(', ')}, --help.`);
    } else positional.push(arg);
  }
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
