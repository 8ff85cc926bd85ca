import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import type { FileCpu } from './file-cpu.ts';

/** One file's run, in milliseconds from the run's start. */
interface FileSpan {
  readonly project: string;
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly tests: number;
  /** Counted by the integration files (test/support/aws-environment.ts). */
  readonly cpu?: FileCpu;
}

/** Where the runs' timelines are written. */
const BUILD = join(import.meta.dirname, '..', '..', '.build');

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;

/** The report's lines for one project's files. */
function projectLines(name: string, spans: readonly FileSpan[]): string[] {
  const first = Math.min(...spans.map((span) => span.start));
  const last = Math.max(...spans.map((span) => span.end));
  const busy = spans.reduce((sum, span) => sum + span.end - span.start, 0);
  const tests = spans.reduce((sum, span) => sum + span.tests, 0);
  const slowest = [...spans]
    .sort((a, b) => b.end - b.start - (a.end - a.start))
    .slice(0, 3)
    .map((span) => `${span.file} ${seconds(span.end - span.start)}`)
    .join(', ');
  const lines = [
    `  ${name.padEnd(12)} wall ${seconds(last - first).padStart(8)} (${seconds(first)} to ${seconds(last)}), files ${String(spans.length).padStart(3)} summing ${seconds(busy).padStart(8)}, tests ${tests}; slowest: ${slowest}`,
  ];
  const cpu = spans.flatMap(({ file, cpu }) =>
    cpu ? [{ file, cpu: cpu.process + cpu.moto }] : [],
  );
  if (cpu.length > 0) {
    const total = cpu.reduce((sum, entry) => sum + entry.cpu, 0);
    const most = cpu
      .sort((a, b) => b.cpu - a.cpu)
      .slice(0, 5)
      .map((entry) => `${entry.file} ${entry.cpu.toFixed(1)}`)
      .join(', ');
    lines.push(
      `  ${''.padEnd(12)} CPU of its worker processes and motos: ${total.toFixed(1)} s; most: ${most}`,
    );
  }
  return lines;
}

/**
 * Prints, at the end of a run, each project's wall time (first file started to last file
 * ended) and when it ran, its files' summed time, its slowest files and, for the integration
 * files, their CPU: where the suite's minutes go.
 */
export default class ProjectTimingReporter implements Reporter {
  readonly #started = new Map<string, number>();
  readonly #spans: FileSpan[] = [];
  readonly #timeline: string | undefined;
  #runStarted = Date.now();

  /**
   * `timeline`: a file in .build for every file's start and end, from the run's start. Set
   * against a CPU trace (`vmstat 2`) it shows which files leave the cores idle.
   */
  constructor(options: { timeline?: string } = {}) {
    this.#timeline = options.timeline && join(BUILD, options.timeline);
  }

  onTestRunStart(): void {
    this.#runStarted = Date.now();
  }

  onTestModuleStart(module: TestModule): void {
    this.#started.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule): void {
    const now = Date.now();
    const { cpu } = module.meta();
    this.#spans.push({
      project: module.project.name || 'default',
      file: module.relativeModuleId,
      start: (this.#started.get(module.moduleId) ?? now) - this.#runStarted,
      end: now - this.#runStarted,
      tests: [...module.children.allTests()].length,
      ...(cpu ? { cpu } : {}),
    });
  }

  onTestRunEnd(): void {
    if (this.#spans.length === 0) return;
    const lines = [
      '',
      'Time by project (wall: first file started to last ended, and when, from the run start):',
    ];
    const projects = [...new Set(this.#spans.map((span) => span.project))].sort();
    for (const name of projects) {
      lines.push(
        ...projectLines(
          name,
          this.#spans.filter((span) => span.project === name),
        ),
      );
    }
    lines.push(`  total wall ${seconds(Date.now() - this.#runStarted)}`);
    console.info(lines.join('\n'));
    if (!this.#timeline) return;
    try {
      mkdirSync(BUILD, { recursive: true });
      writeFileSync(this.#timeline, `${JSON.stringify(this.#spans, null, 1)}\n`);
    } catch {
      // A timeline is a help, never a failure of the run.
    }
  }
}
