/**
 * `rnnlab export`: a checkpoint's model as an ONNX file (src/io/onnx.ts) and/or its weights alone as a
 * safetensors file under PyTorch's state_dict names, for `torch.nn.LSTM(...).load_state_dict(...)`.
 */
import type { Command } from 'commander';
import { loadCheckpoint } from '../io/checkpoint.js';
import { writeFileAtomic } from '../io/atomic.js';
import { exportOnnx } from '../io/onnx.js';
import { encodeSafetensors } from '../io/safetensors.js';

export interface ExportCliOptions {
  checkpoint: string;
  onnx?: string;
  safetensors?: string;
  /** ONNX: add h0 (and c0) graph inputs. */
  initialState?: boolean;
  /** ONNX: add the sequence_lens [B] int32 graph input (padded batches). */
  sequenceLens?: boolean;
}

export interface ExportResult {
  checkpoint: string;
  step: number;
  kind: string;
  written: string[];
}

export function runExport(o: ExportCliOptions, log: (line: string) => void = console.log): ExportResult {
  if (o.onnx === undefined && o.safetensors === undefined) {
    throw new RangeError('--onnx / --safetensors: expected at least one output file, got neither');
  }
  if (o.onnx !== undefined && o.onnx === o.safetensors) throw new RangeError(`--onnx and --safetensors: expected two different files, got ${o.onnx} for both`);
  const ck = loadCheckpoint(o.checkpoint);
  const { model, config } = ck;
  const o2 = config.options;
  const written: string[] = [];
  if (o.onnx !== undefined) {
    const bytes = exportOnnx(model, {
      initialState: o.initialState === true,
      sequenceLens: o.sequenceLens === true,
      docString: `rnnlab ${config.kind} from ${ck.path} (step ${ck.step})`,
    });
    writeAs('--onnx', o.onnx, bytes);
    written.push(o.onnx);
    const io = o2.batchFirst ? 'x [B, T, D] → y [B, T, ·]' : 'x [T, B, D] → y [T, B, ·]';
    const rows = model.bidirectional ? `${model.numLayers}·2` : `${model.numLayers}`;
    const extra = [...(o.initialState ? ['h0', ...(config.kind === 'LSTM' ? ['c0'] : [])] : []), ...(o.sequenceLens ? ['sequence_lens [B] int32'] : [])];
    log(`wrote ${o.onnx}: ONNX opset 14, float32, ${io}, h_n${config.kind === 'LSTM' ? ', c_n' : ''} [${rows}, B, ${model.hiddenSize}]${extra.length ? '; inputs ' + extra.join(', ') : ''}${o2.dtype === 'float64' ? ' (float64 weights rounded to float32)' : ''}`);
  }
  if (o.safetensors !== undefined) {
    writeAs('--safetensors', o.safetensors, encodeSafetensors(model.stateDict(), { format: 'pt' }));
    written.push(o.safetensors);
    log(`wrote ${o.safetensors}: ${Object.keys(model.stateDict()).join(', ')} (PyTorch's nn.${config.kind} names${o2.outputSize !== undefined ? '; the head as head.weight, head.bias' : ''})`);
  }
  return { checkpoint: ck.path, step: ck.step, kind: config.kind, written };
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export a checkpoint: the model as ONNX (standard RNN/LSTM/GRU operators) and/or the weights as safetensors with PyTorch\'s names')
    .requiredOption('--checkpoint <dir>', 'a checkpoint directory, or a checkpoints/ root (its latest), or a .tar of one')
    .option('--onnx <file>', 'write the model as an ONNX file (opset 14, float32, dynamic T and B)')
    .option('--safetensors <file>', 'write the weights alone as safetensors (weight_ih_l0, ..., head.weight) for torch.nn load_state_dict')
    .option('--initial-state', 'ONNX: add h0 (and c0) [numLayers·directions, B, H] inputs for the initial state (default: zeros)')
    .option('--sequence-lens', 'ONNX: add a sequence_lens [B] int32 input, each sequence\'s length, for padded batches (default: every sequence is T steps)')
    .addHelpText('after', [
      '',
      'Examples:',
      '  rnnlab export --checkpoint out/train/checkpoints --onnx model.onnx',
      '  rnnlab export --checkpoint out/train/checkpoints/step-000002000 --onnx model.onnx --initial-state',
      '  rnnlab export --checkpoint out/train/checkpoints --safetensors weights.safetensors',
      '',
      'The ONNX model takes x [T, B, D] ([B, T, D] for a batch-first model) and gives y, h_n (and c_n). See docs/interop.md.',
    ].join('\n'))
    .action((opts: ExportCliOptions) => {
      runExport(opts);
    });
}

/** Writes an output file; a failure names the flag, the file and why (a folder given, an unwritable path). */
function writeAs(flag: string, path: string, bytes: Uint8Array): void {
  try {
    writeFileAtomic(path, bytes);
  } catch (e) {
    throw new RangeError(`${flag}: ${(e as Error).message}`);
  }
}
