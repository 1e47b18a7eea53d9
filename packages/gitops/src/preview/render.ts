/**
 * Renders kustomization folders of a snapshot with the real kustomize (`kubectl kustomize`, with the
 * flag Flux's kustomize-controller builds with). The folders' files are written to a temporary
 * directory first, so a base or head commit renders without touching the work tree.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KUSTOMIZE_FLAGS, kustomizeError } from '../validation/stages/2-render';
import type { K8sObject } from './diff';
import type { GitSnapshot } from './git-snapshot';

export interface RenderResult {
  objects: K8sObject[];
  /** kustomize's message when the folder does not build. */
  error?: string;
}

/** Renders each folder of `dirs` at the snapshot (folders it refers to must be among `needs`). */
export async function renderDirs(
  snapshot: GitSnapshot,
  dirs: readonly string[],
  needs: readonly string[],
  kubectl = 'kubectl',
): Promise<Map<string, RenderResult>> {
  const results = new Map<string, RenderResult>();
  if (dirs.length === 0) return results;
  const temp = mkdtempSync(join(tmpdir(), 'mlops-preview-'));
  try {
    snapshot.materialise(needs, temp);
    const queue = [...dirs];
    const worker = async () => {
      for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) results.set(dir, await kustomize(kubectl, join(temp, dir), temp));
    };
    await Promise.all(Array.from({ length: Math.min(queue.length, Math.max(2, cpus().length)) }, worker));
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return results;
}

function kustomize(kubectl: string, dir: string, temp: string): Promise<RenderResult> {
  return new Promise((resolve) => {
    execFile(kubectl, ['kustomize', ...KUSTOMIZE_FLAGS, dir], { maxBuffer: 1 << 28 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        resolve({
          objects: [],
          error: missing
            ? `kubectl not found ('${kubectl}'): install kubectl 1.27+ (it embeds kustomize v5)`
            : kustomizeError(stderr || error.message, temp, temp),
        });
        return;
      }
      resolve({ objects: parseObjects(stdout) });
    });
  });
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object' && !Array.isArray(o) && typeof (o as K8sObject).kind === 'string');
}
