// A child process of the demo: started with its output appended to a log file, stopped by
// process id (SIGTERM, then SIGKILL after a grace period), never left behind.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export class Child {
  /**
   * Starts `command args` with stdout and stderr appended to `logFile`.
   * @param {string} name for messages ("mosquitto", "devices")
   */
  constructor(name, command, args, { logFile, env } = {}) {
    this.name = name;
    const fd = openSync(logFile, 'a');
    this.process = spawn(command, args, { stdio: ['ignore', fd, fd], env: env ?? process.env });
    closeSync(fd);  // the child has its own copy
    this.pid = this.process.pid;
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => resolve({ code, signal }));
      this.process.once('error', (error) => resolve({ code: null, signal: null, error }));
    });
    this.running = true;
    this.exited.then(() => { this.running = false; });
  }

  /** Sends `signal` and resolves when the process has exited (SIGKILL after `graceMs`). */
  async stop(signal = 'SIGTERM', graceMs = 3000) {
    if (!this.running) return this.exited;
    this.process.kill(signal);
    const timer = setTimeout(() => this.running && this.process.kill('SIGKILL'), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

/** True while a process with this id exists. */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
