/**
 * A fresh Nx workspace with no access to this repository: its own package.json pinning Nx, its
 * own node_modules installed by npm, and @mlops/gitops only as a packed tarball. This is what an
 * adopting repository looks like, so what passes here works there.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesIn, RunResult, runIn, WORKSPACE_ROOT } from './workspace';

/** The one Nx version of this repository, pinned in the fresh workspace too. */
export const NX_VERSION: string = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')).devDependencies.nx;

/** npm may use the registry, but the local cache first: the test runs offline once the cache is warm. */
const NPM_ENV = { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const TEN_MINUTES = 10 * 60 * 1000;

export interface FreshWorkspace {
  root: string;
  /** Runs one shell command line in `cwd` (default: the workspace). */
  sh(line: string, opts?: { cwd?: string; allowFailure?: boolean }): RunResult;
  nx(args: string[], opts?: { allowFailure?: boolean }): RunResult;
  read(path: string): string;
  write(path: string, text: string): void;
  exists(path: string): boolean;
  remove(): void;
}

function run(cwd: string, cmd: string, args: string[], allowFailure = false): RunResult {
  return runIn(cwd, cmd, args, { env: NPM_ENV, allowFailure, timeoutMs: TEN_MINUTES });
}

/** package.json + nx.json pinned to this repository's Nx, a git repository, and `npm install`. */
export function createFreshWorkspace(prefix = 'gitops-adopt-'): FreshWorkspace {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const ws: FreshWorkspace = {
    root,
    sh: (line, opts = {}) => run(opts.cwd ?? root, 'bash', ['-c', line], opts.allowFailure),
    nx: (args, opts = {}) => run(root, 'npx', ['nx', ...args], opts.allowFailure),
    ...filesIn(root),
  };
  ws.write('package.json', JSON.stringify({ name: 'adopter', version: '0.0.0', private: true, devDependencies: { nx: NX_VERSION } }, null, 2) + '\n');
  ws.write('nx.json', JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json', analytics: false, defaultBase: 'main' }, null, 2) + '\n');
  ws.write('.gitignore', 'node_modules\n.nx\n');
  run(root, 'git', ['init', '-q', '-b', 'main']);
  run(root, 'npm', ['install']);
  return ws;
}

/** Packs @mlops/gitops from this repository into `destination` (tools/pack.js) and returns the tarball. */
export function packPlugin(destination: string): string {
  const out = run(WORKSPACE_ROOT, process.execPath, [join(WORKSPACE_ROOT, 'tools/pack.js'), destination]);
  const tarball = out.stdout.trim().split('\n').pop()!;
  if (!existsSync(tarball)) throw new Error(`tools/pack.js did not produce a tarball:\n${out.stdout}\n${out.stderr}`);
  return tarball;
}
