/**
 * `@mlops/gitops:validate` for one project: validates the project's folder (a
 * component or an environment) with the validation engine and prints the report.
 */
import '../../compile-cache';
import type { ExecutorContext } from '@nx/devkit';
import { validate } from '../../validation/engine';
import { normalizeOptions, projectRoot, renderReport, succeeded, validationRequest } from './run-validation';
import { ValidateExecutorSchema } from './schema';

export default async function validateExecutor(options: ValidateExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const normalized = normalizeOptions(options);
  const target = projectRoot(context, context.projectName as string);
  const report = await validate(validationRequest(context.root, [target], normalized));
  const output = renderReport(report, normalized.format);
  if (output) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
  return { success: succeeded(report) };
}
