/**
 * The `preview` target of a component or environment: the preview of two commits, only this project.
 * Not cached: its result depends on git refs, not on the files Nx hashes.
 */
import type { ExecutorContext } from '@nx/devkit';
import { preview } from '../../preview/preview';
import { formatPreview } from '../../preview/report';
import type { PreviewExecutorSchema } from './schema';

export default async function previewExecutor(options: PreviewExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const base = options.base ?? process.env.NX_BASE;
  if (!base) {
    console.error(
      `preview needs a base commit: run NX_BASE=origin/main nx affected -t preview, or nx run ${context.projectName}:preview --base=origin/main.`,
    );
    return { success: false };
  }
  const result = await preview({
    cwd: context.root,
    base,
    head: options.head ?? process.env.NX_HEAD ?? 'HEAD',
    project: context.projectName,
    kubectl: options.kubectl,
  });
  process.stdout.write(formatPreview(result, options.format ?? 'text'));
  return { success: true };
}
