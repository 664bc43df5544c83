// CPU time of this process since a mark: unlike wall time it does not grow when other processes
// load the machine, so a guard against pathological slowness stays meaningful on a busy CI host.
export type CpuMark = NodeJS.CpuUsage;

export function cpuMark(): CpuMark {
  return process.cpuUsage();
}

export function cpuMillisSince(mark: CpuMark): number {
  const used = process.cpuUsage(mark);
  return (used.user + used.system) / 1000;
}
