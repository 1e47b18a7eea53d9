/**
 * Batch form of `@mlops/gitops:validate`: Nx hands over every validate task
 * of a run at once (the executor sets `preferBatch`), and all their targets go
 * to ONE engine call, so the schema packages load once and kustomize renders
 * run as one parallel pool. Findings are split back per task by target, and
 * each task gets its own result, output and cache entry.
 */
import '../../compile-cache';
import type { ExecutorContext, TaskGraph, TaskGraphExecutor } from '@nx/devkit';
import { validate } from '../../validation/engine';
import {
  NormalizedValidateOptions,
  normalizeOptions,
  projectRoot,
  renderReport,
  reportForTarget,
  succeeded,
  validationRequest,
} from './run-validation';
import { ValidateExecutorSchema } from './schema';

/** One result per task id (Nx's BatchExecutorResult, which the devkit does not export by name). */
type BatchExecutorResult = Record<string, { success: boolean; terminalOutput: string; startTime: number; endTime: number }>;
type BatchExecutorTaskResult = { task: string; result: BatchExecutorResult[string] };

interface BatchTask {
  id: string;
  target: string;
  options: NormalizedValidateOptions;
}

/**
 * Yields each task's result (rather than returning one record at the end):
 * Nx 23 prints a batch task's output and status only for results reported
 * this way.
 */
const validateBatch: TaskGraphExecutor<ValidateExecutorSchema> = async (taskGraph, inputs, _overrides, context) =>
  taskResults(groupByEngineOptions(batchTasks(taskGraph, inputs, context)), context.root);

async function* taskResults(groups: BatchTask[][], workspaceRoot: string): AsyncIterableIterator<BatchExecutorTaskResult> {
  for (const group of groups) {
    const results = await validateGroup(group, workspaceRoot);
    for (const [task, result] of Object.entries(results)) yield { task, result };
  }
}

export default validateBatch;

function batchTasks(taskGraph: TaskGraph, inputs: Record<string, ValidateExecutorSchema>, context: ExecutorContext): BatchTask[] {
  return Object.values(taskGraph.tasks).map((task) => ({
    id: task.id,
    target: projectRoot(context, task.target.project),
    options: normalizeOptions(inputs[task.id] ?? {}),
  }));
}

/** Tasks that may share one engine call: same kubectl and excludes (the format only changes the printing). */
function groupByEngineOptions(tasks: BatchTask[]): BatchTask[][] {
  const groups = new Map<string, BatchTask[]>();
  for (const t of tasks) {
    const key = JSON.stringify([t.options.kubectl ?? '', t.options.exclude]);
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()];
}

/** Said before a task's report, because its closing counts are those of the whole batch. */
function batchNote(target: string, batchSize: number): string {
  return batchSize > 1 ? `${target}: validated in one batch of ${batchSize} targets (counts below are for the batch)\n` : '';
}

async function validateGroup(tasks: BatchTask[], workspaceRoot: string): Promise<BatchExecutorResult> {
  const startTime = Date.now();
  const results: BatchExecutorResult = {};
  try {
    const targets = [...new Set(tasks.map((t) => t.target))];
    const report = await validate(validationRequest(workspaceRoot, targets, tasks[0].options));
    const endTime = Date.now();
    for (const t of tasks) {
      const own = reportForTarget(report, t.target, targets);
      const output = renderReport(own, t.options.format);
      results[t.id] = {
        success: succeeded(own),
        terminalOutput: t.options.format === 'human' ? batchNote(t.target, targets.length) + output : output,
        startTime,
        endTime,
      };
    }
  } catch (e) {
    const endTime = Date.now();
    const message = `Validation could not run: ${(e as Error).message}`;
    for (const t of tasks) results[t.id] = { success: false, terminalOutput: message, startTime, endTime };
  }
  return results;
}
