/** `mlops-gitops preview`: the preview of two commits, written where the options say. */
import { writeFileSync } from 'node:fs';
import { preview } from '../preview/preview';
import { formatPreview } from '../preview/report';
import type { PreviewOptions } from './args';

export async function runPreview(options: PreviewOptions, out: NodeJS.WritableStream, cwd = process.cwd()): Promise<number> {
  const result = await preview({ cwd, base: options.base, head: options.head, project: options.project, kubectl: options.kubectl });
  const report = formatPreview(result, options.format);
  if (options.output) writeFileSync(options.output, report);
  else out.write(report);
  return 0;
}
