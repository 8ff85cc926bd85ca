import { readFileSync } from 'node:fs';

/** CPU seconds a test file cost: its worker process (all its threads) and the worker's moto. */
export interface FileCpu {
  readonly process: number;
  readonly moto: number;
}

declare module 'vitest' {
  interface TaskMeta {
    /** Set on an integration file by test/support/aws-environment.ts, read by the timing report. */
    cpu?: FileCpu;
  }
}

/** Linux's clock tick (USER_HZ), the unit of /proc/<pid>/stat's times: 100 on every build. */
const TICKS_PER_SECOND = 100;

/** User and system CPU seconds of a process so far, from /proc; 0 where there is none. */
function processSeconds(pid: number): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces), in its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Starts counting; the function returned gives what was spent since. */
export function countCpu(motoPid: number): () => FileCpu {
  const started = process.cpuUsage();
  const motoStarted = processSeconds(motoPid);
  return () => {
    const spent = process.cpuUsage(started);
    return {
      process: (spent.user + spent.system) / 1e6,
      moto: processSeconds(motoPid) - motoStarted,
    };
  };
}
