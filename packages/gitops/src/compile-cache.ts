/**
 * Imported first by the entry points that run the validator in a process of their own (the batch
 * and single validate executors, the CLI): V8's on-disk code cache (Node ≥ 22.1) compiles the
 * engine and its schema packages once per machine, not once per run. Nx enables it for its own
 * processes, but not for the one it runs a batch executor in. NODE_DISABLE_COMPILE_CACHE=1 turns
 * it off; NODE_COMPILE_CACHE moves it.
 */
import * as nodeModule from 'node:module';

try {
  nodeModule.enableCompileCache?.();
} catch {
  // Only speed is lost.
}
