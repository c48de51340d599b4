/** The executor's own log: Nomad-style lines appended to `<state-dir>/executor.log`. */
import { formatLogLine, type Logger, type LogLevel } from "../../src/core/mod.ts";
import { MAX_EXECUTOR_LOG_BYTES } from "./limits.ts";

/**
 * A logger that appends to `path` and, past {@linkcode MAX_EXECUTOR_LOG_BYTES}, moves the
 * file to `<path>.1` (one old file kept). Writes are synchronous: the executor logs
 * rarely and a line must survive a SIGKILL right after it was logged.
 */
export function fileLogger(path: string, name = "executor"): Logger {
  let sizeBytes = 0;
  try {
    sizeBytes = Deno.statSync(path).size;
  } catch {
    // No file yet.
  }
  const encoder = new TextEncoder();
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    const time = new Date().toISOString();
    const line = encoder.encode(formatLogLine({ time, level, name, message, fields }) + "\n");
    try {
      if (sizeBytes + line.length > MAX_EXECUTOR_LOG_BYTES) {
        Deno.renameSync(path, `${path}.1`);
        sizeBytes = 0;
      }
      Deno.writeFileSync(path, line, { append: true, create: true, mode: 0o600 });
      sizeBytes += line.length;
    } catch {
      // Logging must never take the executor down; a full disk only loses log lines.
    }
  };
  const logger: Logger = {
    debug: (m, f) => write("DEBUG", m, f),
    info: (m, f) => write("INFO", m, f),
    warn: (m, f) => write("WARN", m, f),
    error: (m, f) => write("ERROR", m, f),
    named: (child) => fileLogger(path, `${name}.${child}`),
  };
  return logger;
}
