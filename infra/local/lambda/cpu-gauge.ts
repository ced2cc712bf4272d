/**
 * How much of the machine's CPU this process is using, sampled every 100 ms: the Lambda pools grow past one
 * environment per core only while there is CPU to spare (see InstancePool).
 */
import { availableParallelism } from 'node:os';

const SAMPLE_MS = 100;

export class CpuGauge {
  private lastAt = performance.now();
  private lastUsage = process.cpuUsage();
  /** The share of all cores (0 to 1) the process used over the last sample. */
  private latest = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly cores: number = availableParallelism()) {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  /** Cores this process left idle over the last sample. */
  get idleCores(): number {
    return this.cores * (1 - this.latest);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = performance.now();
    const usage = process.cpuUsage(this.lastUsage);
    this.latest = (usage.user + usage.system) / 1000 / (now - this.lastAt) / this.cores;
    this.lastAt = now;
    this.lastUsage = process.cpuUsage();
  }
}
