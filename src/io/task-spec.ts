/**
 * A task described as JSON: its kind and the options that rebuild it (src/tasks/registry.ts). Declared
 * here, below the tasks, because a checkpoint carries one and io/ must not depend on tasks/.
 */
export interface TaskSpec {
  kind: string;
  [option: string]: unknown;
}
