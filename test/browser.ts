/**
 * The Chromium that the browser tests drive. By default the one shipped inside the npm package
 * @sparticuz/chromium (a dev dependency: the binary is in the package, and `executablePath()` unpacks
 * it to the system's temp folder), so `npm test` needs no system browser; `CHROME_PATH` names another
 * Chromium or Chrome to use instead.
 */
import { existsSync } from 'node:fs';
import sparticuz from '@sparticuz/chromium';

// The flags that keep Chromium quiet and offline on a closed network.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The browser's executable: `CHROME_PATH` when it is set, else the packaged Chromium. */
export async function chromiumExecutable(): Promise<string> {
  const given = process.env.CHROME_PATH;
  if (given !== undefined && given !== '') {
    if (!existsSync(given)) throw new Error(`CHROME_PATH: expected the path of a Chromium or Chrome executable, got ${given}, which does not exist`);
    return given;
  }
  return sparticuz.executablePath();
}
