// CPU time used by a process and all its descendants, from /proc (Linux). Children that have exited
// and been reaped are included through their parent's cutime/cstime.
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

type Stat = { pid: number; ppid: number; ticks: number };

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after its closing ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const number = (field: number) => Number(fields[field - 3]);
    return { pid, ppid: number(4), ticks: number(14) + number(15) + number(16) + number(17) };
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by the process tree under `rootPid` (0 when it is gone). */
export function treeCpuSeconds(rootPid: number): number {
  const stats: Stat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  const children = new Map<number, Stat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  let ticks = 0;
  const queue = stats.filter((stat) => stat.pid === rootPid);
  while (queue.length) {
    const stat = queue.pop()!;
    ticks += stat.ticks;
    queue.push(...(children.get(stat.pid) ?? []));
  }
  return ticks / TICKS_PER_SECOND;
}
