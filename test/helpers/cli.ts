/** `rnnlab ARGS` from the source tree as a child process (stdin closed), for tests of the command itself. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CliResult {
  /** null when the run was killed at `timeoutMs`. */
  status: number | null;
  stdout: string;
  stderr: string;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

export function runRnnlab(args: readonly string[], timeoutMs?: number): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
