/** The workspace itself: one Nx version everywhere, TypeScript below 7, the plugin registered. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedEnv, NX_BIN, WORKSPACE_ROOT } from './support/workspace';

describe('the workspace', () => {
  it('runs a single Nx version for nx and every @nx/* package, and TypeScript < 7', () => {
    const report = execFileSync(process.execPath, [NX_BIN, 'report'], {
      cwd: WORKSPACE_ROOT,
      env: isolatedEnv(),
      encoding: 'utf8',
    });
    const versions = [...report.matchAll(/^(nx|@nx\/[\w-]+)\s*:\s*(\S+)/gm)].map((m) => [m[1], m[2]]);
    expect(versions.length).toBeGreaterThanOrEqual(4);
    expect(new Set(versions.map(([, v]) => v))).toEqual(new Set(['23.2.1']));
    const ts = /^typescript\s*:\s*(\d+)\./m.exec(report);
    expect(Number(ts?.[1])).toBeLessThan(7);
    expect(report).toContain('@mlops/gitops');
  }, 60_000);

  it('pins the same versions in the plugin package as in the workspace', () => {
    const root = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8'));
    const plugin = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'packages/gitops/package.json'), 'utf8'));
    expect(plugin.dependencies['@nx/devkit']).toBe(root.devDependencies['@nx/devkit']);
    expect(plugin.peerDependencies.nx).toBe(root.devDependencies.nx);
  });
});
