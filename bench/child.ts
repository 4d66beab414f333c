/**
 * One measurement in its own process, so its peak RSS is its own and a crash stays contained.
 * Usage: tsx bench/child.ts '{"peer":"rnnlab","cell":"lstm","config":"S","protocol":{...}}'
 * Prints one line `BENCH_RESULT {json}`: a Timing plus peakRssMiB and note, or {unavailable: reason}.
 */
import { findConfig, type Cell, type Protocol } from './configs.js';
import { timeTrainer } from './measure.js';
import { findPeer, loadFactory, type PeerFactory } from './peers/peer.js';

const RESULT_PREFIX = 'BENCH_RESULT ';

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as { peer: string; cell: Cell; config: string; protocol: Protocol };
  const peer = findPeer(args.peer);
  const config = findConfig(args.config);
  // A peer library that does not load is absent, not broken: report it as unavailable with the reason.
  let factory: PeerFactory;
  try {
    factory = await loadFactory(peer.id);
  } catch (err) {
    // rnnlab itself failing to import is a broken build, not an absent peer.
    if (peer.id.startsWith('rnnlab')) throw err;
    const unavailable = err instanceof Error ? err.message.split('\n')[0] : String(err);
    process.stdout.write(RESULT_PREFIX + JSON.stringify({ unavailable }) + '\n');
    return;
  }
  const trainer = await factory(args.cell, config);
  const timing = await timeTrainer(trainer, args.protocol);
  // maxRSS is in KiB: the whole process's peak, library, runtime and data included (as for torch).
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(RESULT_PREFIX + JSON.stringify({ ...timing, peakRssMiB, note: trainer.note }) + '\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
