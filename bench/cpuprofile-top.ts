/**
 * `node bench/cpuprofile-top.ts <file.cpuprofile> [--top 30]`: the functions with the most self time in a
 * V8 CPU profile (as `node --cpu-prof` writes it), and the same summed per package / source area, so a
 * profile can be read without a browser. No dependencies: a .cpuprofile is JSON with `nodes` (id,
 * callFrame, children), `samples` (node ids) and `timeDeltas` (µs between samples).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface TopEntry {
  name: string;
  selfMs: number;
  share: number;
}

/** Where a script lives: `node_modules/<pkg>`, `apps/<x>/…`, `packages/<x>/…`, `node:…`, or `(v8)`. */
export function areaOf(url: string): string {
  if (!url) return '(v8 / native)';
  const modules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const ours = /\/((?:apps|packages|bench)\/[^/]+)\//.exec(url);
  if (ours) return ours[1]!;
  if (url.startsWith('node:')) return 'node (core)';
  return url;
}

/** Self time per function and per area, largest first. */
export function summarizeProfile(profile: CpuProfile): {
  functions: TopEntry[];
  areas: TopEntry[];
  totalMs: number;
} {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') {
      functions.set(frame.functionName, (functions.get(frame.functionName) ?? 0) + us);
      continue;
    }
    const where = frame.url ? `${basename(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'} ${where} [${areaOf(frame.url)}]`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = frame.functionName === '(garbage collector)' ? '(garbage collector)' : areaOf(frame.url);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busyUs = totalUs - (functions.get('(idle)') ?? 0);
  const sorted = (map: Map<string, number>) =>
    [...map]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  return { functions: sorted(functions), areas: sorted(areas), totalMs: busyUs / 1000 };
}

export function renderTop(file: string, top = 30): string {
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const line = (e: TopEntry) =>
    `${e.selfMs.toFixed(0).padStart(8)} ms ${(e.share * 100).toFixed(1).padStart(5)} %  ${e.name}`;
  return [
    `${file}: ${summary.totalMs.toFixed(0)} ms busy (idle excluded)`,
    '',
    'self time by area:',
    ...summary.areas.slice(0, 15).map(line),
    '',
    `top ${top} functions by self time:`,
    ...summary.functions.slice(0, top).map(line),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 30;
  const files = args.filter((arg, i) => arg !== '--top' && i !== topIndex + 1 && !arg.startsWith('--'));
  if (files.length === 0) {
    process.stderr.write('usage: node bench/cpuprofile-top.ts <file.cpuprofile> [--top 30]\n');
    process.exitCode = 2;
  }
  for (const file of files) process.stdout.write(`${renderTop(file, top)}\n\n`);
}
