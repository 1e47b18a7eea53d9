/**
 * Temporary copies of this workspace for end-to-end tests. The copy holds the
 * committed files (plus the built plugin) and reuses this workspace's
 * node_modules through a symlink, so `nx` runs exactly as a user runs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
/** The real nx binary of this workspace. */
export const NX_BIN = join(WORKSPACE_ROOT, 'node_modules/nx/dist/bin/nx.js');

export interface TempWorkspace {
  root: string;
  /** Runs `nx <args>` in the copy; throws with stdout/stderr on a non-zero exit. */
  nx(args: string[], opts?: RunOptions): RunResult;
  run(cmd: string, args: string[], opts?: RunOptions): RunResult;
  read(path: string): string;
  write(path: string, text: string): void;
  exists(path: string): boolean;
  remove(): void;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Files git knows about (tracked and untracked-but-not-ignored), relative to the workspace root. */
function workspaceFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: WORKSPACE_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.split('\0').filter((f) => f && existsSync(join(WORKSPACE_ROOT, f)));
}

export function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_INTERACTIVE: 'false',
    CI: 'true',
    FORCE_COLOR: '0',
    ...extra,
  };
}

export function createTempWorkspace(options: { git?: boolean; prefix?: string } = {}): TempWorkspace {
  const root = mkdtempSync(join(tmpdir(), options.prefix ?? 'gitops-e2e-'));
  for (const file of workspaceFiles()) {
    const target = join(root, file);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(WORKSPACE_ROOT, file), target);
  }
  const dist = join(WORKSPACE_ROOT, 'packages/gitops/dist');
  if (!existsSync(dist)) throw new Error('packages/gitops/dist is missing: run `npm run build` first');
  cpSync(dist, join(root, 'packages/gitops/dist'), { recursive: true });
  symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  linkNestedModules(root);

  const run = (cmd: string, args: string[], opts: RunOptions = {}): RunResult => runIn(root, cmd, args, opts);

  const ws: TempWorkspace = {
    root,
    run,
    nx: (args, opts) => run(process.execPath, [NX_BIN, ...args], opts),
    ...filesIn(root),
  };
  if (options.git) {
    run('git', ['init', '-q', '-b', 'main']);
    run('git', ['add', '-A']);
    run('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', 'initial']);
  }
  return ws;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  allowFailure?: boolean;
  timeoutMs?: number;
}

/** Runs a command in `cwd` with Nx's interactive and cloud features off; throws with its output on failure. */
export function runIn(cwd: string, cmd: string, args: string[], opts: RunOptions = {}): RunResult {
  const spawn = () =>
    spawnSync(cmd, args, { cwd, env: isolatedEnv(opts.env), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: opts.timeoutMs });
  let r = spawn();
  // A process killed by a signal (no exit status, nothing printed) is run once more: seen once with
  // two test files running nx at the same time; a real failure exits with a status and says why.
  if (r.status === null && r.signal && opts.timeoutMs === undefined) r = spawn();
  const killed = r.status === null && r.signal ? ` (killed by ${r.signal})` : '';
  const result = { status: r.status ?? 1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') + (r.error ? `\n${r.error.message}` : '') };
  if (result.status !== 0 && !opts.allowFailure) {
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) exited ${result.status}${killed}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result;
}

/** Reading and writing files of a workspace by relative path. */
export function filesIn(root: string): Pick<TempWorkspace, 'read' | 'write' | 'exists' | 'remove'> {
  return {
    read: (p) => readFileSync(join(root, p), 'utf8'),
    write: (p, text) => {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    },
    exists: (p) => existsSync(join(root, p)),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * npm nests a package's dependency under the package when the hoisted copy
 * has another major version; the copy must see those nested folders too.
 */
function linkNestedModules(root: string): void {
  for (const pkg of ['packages/gitops', 'apps/gitops-e2e']) {
    const nested = join(WORKSPACE_ROOT, pkg, 'node_modules');
    const target = join(root, pkg, 'node_modules');
    if (existsSync(nested) && !existsSync(target)) symlinkSync(nested, target, 'dir');
  }
}

/** kubectl is required in CI; elsewhere tests that need it skip, saying why. */
export function hasKubectl(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

/** `describe` when kubectl is on the PATH; otherwise `describe.skip`, with a warning naming the suite. */
export function describeWithKubectl(suite: string): jest.Describe {
  if (hasKubectl()) return describe;
  console.warn(`${suite}: skipped, kubectl (with its embedded kustomize v5) is not on the PATH; CI requires it.`);
  return describe.skip;
}
