/**
 * What the sync benchmark reads about its child processes from /proc (Linux only): peak resident
 * memory per case and CPU time. Every figure covers all threads of the process (the codec
 * workers included).
 */
import { readFile, writeFile } from 'node:fs/promises';

/** USER_HZ: /proc/<pid>/stat counts CPU time in ticks of 10 ms on Linux. */
const MS_PER_TICK = 10;

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${field}`);
  return Number(match[1]) * 1024;
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS (`clear_refs` value 5, Linux 4.0+),
 * so that {@link peakRssBytes} after a case is the peak of that case alone, exactly as the kernel
 * tracked it (no sampling gaps).
 */
export async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}

/** The process's peak RSS since start or since the last {@link resetPeakRss}, in bytes. */
export async function peakRssBytes(pid: number): Promise<number> {
  return statusKb(await readFile(`/proc/${pid}/status`, 'utf8'), 'VmHWM');
}

/** User plus system CPU time the process has used so far, in milliseconds. */
export async function cpuTimeMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields 14 (utime) and 15 (stime), counted after the parenthesised command name.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

/** Bytes the process asked read() and friends for (`rchar`: files, sockets, pipes alike). */
export async function readCharBytes(pid: number): Promise<number> {
  const io = await readFile(`/proc/${pid}/io`, 'utf8');
  const match = /^rchar: (\d+)/m.exec(io);
  if (!match) throw new Error('/proc io has no rchar');
  return Number(match[1]);
}

/** The pids of a process's direct children (its main thread's `children` list). */
export async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text
    .split(' ')
    .filter((word) => word.trim() !== '')
    .map(Number);
}
