import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import type { FileCpu } from './file-cpu.ts';

interface ProjectTiming {
  files: number;
  tests: number;
  /** Wall time from the project's first file starting to its last file ending. */
  first: number;
  last: number;
  /** Summed time of the project's files (setup, import and tests). */
  busy: number;
  slowest: { file: string; milliseconds: number }[];
  /** The files that counted their CPU (the integration files), with it. */
  cpu: { file: string; seconds: number }[];
}

/** One file's run, in milliseconds from the run's start. */
interface FileSpan {
  readonly project: string;
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly cpu?: FileCpu;
}

/** Where the runs' timelines are written. */
const BUILD = join(import.meta.dirname, '..', '..', '.build');

/**
 * Prints, at the end of a run, each project's wall time (first file started to last file
 * ended), its files' summed time and its slowest files: where the suite's minutes go.
 */
export default class ProjectTimingReporter implements Reporter {
  readonly #projects = new Map<string, ProjectTiming>();
  readonly #started = new Map<string, number>();
  readonly #spans: FileSpan[] = [];
  readonly #timeline: string | undefined;

  /**
   * `timeline`: a file in .build for every file's start and end, from the run's start. Set
   * against a CPU trace (`vmstat 2`) it shows which files leave the cores idle.
   */
  constructor(options: { timeline?: string } = {}) {
    this.#timeline = options.timeline && join(BUILD, options.timeline);
  }
  #runStarted = Date.now();

  onTestRunStart(): void {
    this.#runStarted = Date.now();
  }

  onTestModuleStart(module: TestModule): void {
    this.#started.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule): void {
    const now = Date.now();
    const started = this.#started.get(module.moduleId) ?? now;
    const name = module.project.name || 'default';
    const timing = this.#projects.get(name) ?? {
      files: 0,
      tests: 0,
      first: started,
      last: now,
      busy: 0,
      slowest: [],
      cpu: [],
    };
    timing.files++;
    timing.tests += [...module.children.allTests()].length;
    timing.first = Math.min(timing.first, started);
    timing.last = Math.max(timing.last, now);
    timing.busy += now - started;
    timing.slowest.push({ file: module.relativeModuleId, milliseconds: now - started });
    const { cpu } = module.meta();
    if (cpu) timing.cpu.push({ file: module.relativeModuleId, seconds: cpu.process + cpu.moto });
    this.#spans.push({
      project: name,
      file: module.relativeModuleId,
      start: started - this.#runStarted,
      end: now - this.#runStarted,
      ...(cpu ? { cpu } : {}),
    });
    this.#projects.set(name, timing);
  }

  onTestRunEnd(): void {
    if (this.#projects.size === 0) return;
    const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;
    const lines = [
      '',
      'Time by project (wall: first file started to last ended, and when, from the run start):',
    ];
    for (const [name, timing] of [...this.#projects].sort(([a], [b]) => a.localeCompare(b))) {
      const slowest = timing.slowest
        .sort((a, b) => b.milliseconds - a.milliseconds)
        .slice(0, 3)
        .map((entry) => `${entry.file} ${seconds(entry.milliseconds)}`)
        .join(', ');
      lines.push(
        `  ${name.padEnd(12)} wall ${seconds(timing.last - timing.first).padStart(8)} (${seconds(timing.first - this.#runStarted)} to ${seconds(timing.last - this.#runStarted)}), files ${String(timing.files).padStart(3)} summing ${seconds(timing.busy).padStart(8)}, tests ${timing.tests}; slowest: ${slowest}`,
      );
      if (timing.cpu.length > 0) {
        const total = timing.cpu.reduce((sum, entry) => sum + entry.seconds, 0);
        const most = timing.cpu
          .sort((a, b) => b.seconds - a.seconds)
          .slice(0, 5)
          .map((entry) => `${entry.file} ${entry.seconds.toFixed(1)}`)
          .join(', ');
        lines.push(
          `  ${''.padEnd(12)} CPU of its worker processes and motos: ${total.toFixed(1)} s; most: ${most}`,
        );
      }
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
