/**
 * @module results
 * What a benchmark returns, how it is printed (one table) and written (`bench/results/<name>.json` and
 * `bench/results/SUMMARY.md`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export const RESULTS_DIR = new URL('../results/', import.meta.url).pathname;

/** One figure with (when there is one) its baseline from the same run. */
export interface Figure {
  label: string;
  value: number | null;
  unit: string;
  /** The baseline's value of the same measure. */
  baseline?: number | null;
  /** How many times better the engine is (direction chosen per figure: bigger = better). */
  ratio?: number | null;
  /** measured / extrapolated / derived (from measured figures) / configured. */
  kind: 'measured' | 'extrapolated' | 'derived' | 'configured';
  baselineKind?: 'measured' | 'extrapolated' | 'derived';
  note?: string;
}

export interface Goal {
  goal: string;
  met: boolean;
  detail: string;
}

export interface SuiteResult {
  name: string;
  title: string;
  /** What was run: client counts, latencies, concurrency, quotas... */
  config: Record<string, unknown>;
  figures: Figure[];
  goals: Goal[];
  /** What limits the figures, how they were obtained. */
  notes: string[];
  startedAt: string;
  durationS: number;
  machine: MachineInfo;
  quick: boolean;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  /** 1-minute load average when the benchmark started (other work on the machine skews figures). */
  loadAvgAtStart: number;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAvgAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function fmt(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${text} ${unit}` : text;
}

function ratioText(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '–' : `${fmt(ratio)}x`;
}

function kindMark(kind: string | undefined): string {
  return kind === 'extrapolated' ? ' (extrapolated)' : kind === 'derived' ? ' (derived)' : '';
}

/** Plain-text table of every figure (printed to the terminal). */
export function renderTable(results: readonly SuiteResult[]): string {
  const rows: string[][] = [['benchmark', 'figure', 'engine', 'baseline', 'ratio']];
  for (const result of results) {
    for (const figure of result.figures) {
      rows.push([
        result.name,
        figure.label,
        `${fmt(figure.value, figure.unit)}${kindMark(figure.kind)}`,
        figure.baseline === undefined
          ? ''
          : `${fmt(figure.baseline, figure.unit)}${kindMark(figure.baselineKind)}`,
        figure.baseline === undefined ? '' : ratioText(figure.ratio),
      ]);
    }
    for (const goal of result.goals)
      rows.push([result.name, `GOAL ${goal.goal}`, goal.met ? 'met' : 'NOT met', goal.detail, '']);
  }
  const widths = rows[0]!.map((_, column) =>
    Math.min(70, Math.max(...rows.map((row) => row[column]!.length))),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function writeResult(result: SuiteResult): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${result.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** The latest result of every benchmark in bench/results (those of this run and earlier ones). */
export function readResults(names: readonly string[]): SuiteResult[] {
  const out: SuiteResult[] = [];
  for (const name of names) {
    try {
      out.push(JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8')) as SuiteResult);
    } catch {
      // not run yet
    }
  }
  return out;
}

const md = (text: string) => text.replaceAll('|', '\\|');

export function renderSummary(results: readonly SuiteResult[]): string {
  const lines: string[] = [
    '# Benchmark results',
    '',
    'Written by `pnpm bench` (bench/run.ts); every figure and its baseline were measured in the same run',
    'on the same machine. "extrapolated" marks a baseline measured on a subset and scaled; "derived" a',
    'figure computed from measured ones (formulas in bench/README.md). Ratios: how many times better the',
    'engine is than the baseline.',
    '',
  ];
  for (const result of results) {
    const m = result.machine;
    lines.push(`## ${result.name}: ${result.title}`, '');
    lines.push(
      `Run ${result.startedAt}${result.quick ? ' (--quick)' : ''}, ${fmt(result.durationS)} s; ${m.cpus} × ${md(m.cpuModel)}, ${m.memoryGiB} GiB, Node ${m.node}, load average ${m.loadAvgAtStart} at start.`,
      '',
    );
    lines.push('| figure | engine | baseline | ratio |', '| --- | --- | --- | --- |');
    for (const f of result.figures) {
      const baseline =
        f.baseline === undefined ? '' : `${fmt(f.baseline, f.unit)}${kindMark(f.baselineKind)}`;
      lines.push(
        `| ${md(f.label)}${f.note ? ` (${md(f.note)})` : ''} | ${fmt(f.value, f.unit)}${kindMark(f.kind)} | ${baseline} | ${f.baseline === undefined ? '' : ratioText(f.ratio)} |`,
      );
    }
    lines.push('', '| goal | met | detail |', '| --- | --- | --- |');
    for (const g of result.goals)
      lines.push(`| ${md(g.goal)} | ${g.met ? 'yes' : '**no**'} | ${md(g.detail)} |`);
    lines.push('', '<details><summary>Configuration and notes</summary>', '');
    lines.push('```json', JSON.stringify(result.config, null, 2), '```', '');
    for (const note of result.notes) lines.push(`- ${note}`);
    lines.push('', '</details>', '');
  }
  return `${lines.join('\n')}\n`;
}

export function writeSummary(results: readonly SuiteResult[]): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'SUMMARY.md'), renderSummary(results));
}
