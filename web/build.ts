/** Builds the lab with Vite's JavaScript API (scripts/lab.ts and test/lab-e2e.test.ts use it). */
import { build, type LogLevel } from 'vite';
import { labConfig } from './lab-config.js';

export async function buildLab(outDir: string, logLevel: LogLevel = 'warn'): Promise<void> {
  await build(labConfig({ outDir, logLevel }));
}
