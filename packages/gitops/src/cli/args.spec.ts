import { GitopsInputError } from '../model/vocabulary';
import { CliOptions, parseArgs } from './args';

describe('mlops-gitops arguments', () => {
  it('reads the directory and options, with defaults', () => {
    expect(parseArgs(['validate'])).toEqual({
      command: 'validate',
      dir: '.',
      format: 'human',
      layout: 'auto',
      crds: undefined,
      kubectl: undefined,
      exclude: [],
    });
    expect(parseArgs(['validate', 'repo', '--format=json', '--layout', 'any', '--crds', 'crds', '--kubectl', '/opt/kubectl'])).toEqual({
      command: 'validate',
      dir: 'repo',
      format: 'json',
      layout: 'any',
      crds: 'crds',
      kubectl: '/opt/kubectl',
      exclude: [],
    });
  });

  it('keeps every --exclude pattern, in order', () => {
    expect((parseArgs(['validate', '--exclude', 'charts/', '--exclude=**/testdata/']) as CliOptions).exclude).toEqual(['charts/', '**/testdata/']);
    expect(() => parseArgs(['validate', '--exclude'])).toThrow("Option '--exclude' needs a value.");
  });

  it('asks for help with no arguments, -h or --help', () => {
    expect(parseArgs([]).command).toBe('help');
    expect(parseArgs(['validate', '-h']).command).toBe('help');
    expect(parseArgs(['--help']).command).toBe('help');
  });

  it('refuses a bad --format value, quoting it and listing the allowed ones', () => {
    expect(() => parseArgs(['validate', '--format', 'xml'])).toThrow(
      new GitopsInputError("Format 'xml' is not allowed; must be one of: human, json, sarif."),
    );
  });

  it('refuses a bad --layout value the same way', () => {
    expect(() => parseArgs(['validate', '--layout=flux'])).toThrow("Layout 'flux' is not allowed; must be one of: auto, gitops, any.");
  });

  it('refuses an unknown command, an unknown option, a missing value and two directories', () => {
    expect(() => parseArgs(['lint'])).toThrow("Command 'lint' is not known; must be one of: validate, preview.");
    expect(() => parseArgs(['validate', '--strict'])).toThrow(
      "Option '--strict' is not known; must be one of: --format, --layout, --crds, --kubectl, --exclude, --help.",
    );
    expect(() => parseArgs(['validate', '--format'])).toThrow("Option '--format' needs a value.");
    expect(() => parseArgs(['validate', 'a', 'b'])).toThrow("Expected one directory; got 'a', 'b'.");
  });

  it('reads preview options: --base (or NX_BASE), --head (or NX_HEAD, else HEAD), a Markdown/text/JSON format and an output file', () => {
    expect(parseArgs(['preview', '--base', 'origin/main'], {})).toEqual({
      command: 'preview',
      base: 'origin/main',
      head: 'HEAD',
      format: 'text',
      output: undefined,
      project: undefined,
      kubectl: undefined,
    });
    expect(
      parseArgs(['preview', '--format=markdown', '--output', 'preview.md', '--project', 'airflow'], { NX_BASE: 'abc', NX_HEAD: 'def' }),
    ).toMatchObject({
      base: 'abc',
      head: 'def',
      format: 'markdown',
      output: 'preview.md',
      project: 'airflow',
    });
  });

  it('refuses a preview without a base, with a bad format or with an argument', () => {
    expect(() => parseArgs(['preview'], {})).toThrow(
      'preview needs --base <git-ref> (or NX_BASE): the commit to compare with, e.g. --base origin/main.',
    );
    expect(() => parseArgs(['preview', '--base', 'main', '--format', 'html'], {})).toThrow(
      "Format 'html' is not allowed; must be one of: markdown, text, json.",
    );
    expect(() => parseArgs(['preview', '--base', 'main', 'gitops'], {})).toThrow("preview takes no arguments; got 'gitops'.");
  });
});
