/**
 * `rnnlab train` as a child process, for tests that need a real process: signals, kills, two runs at
 * once. The script registers `train` on a fresh commander program, so main.ts need not be wired.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** A runner of `rnnlab train ARGS` whose script lives in `dir`. */
export function trainCli(dir: string): (args: string[], onStdout?: (all: string, child: ChildProcess) => void) => Promise<Run> {
  const script = join(dir, 'cli.mts');
  writeFileSync(script, [
    `import { Command } from ${JSON.stringify(import.meta.resolve('commander'))};`,
    `import { registerTrain } from ${JSON.stringify(resolve('src/cli/train.ts'))};`,
    "const program = new Command().name('rnnlab').exitOverride();",
    'registerTrain(program);',
    'program.parseAsync(process.argv).catch((err) => {',
    "  if (err && err.code && String(err.code).startsWith('commander.')) { process.exitCode = 1; return; }",
    '  console.error(`rnnlab: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1;',
    '});',
  ].join('\n'));
  return (args, onStdout) => new Promise((res) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, 'train', ...args], { cwd: resolve('.'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); onStdout?.(stdout, child); });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
  });
}
