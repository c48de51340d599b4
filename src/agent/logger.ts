/** The agent's log sink: Nomad-style lines on stdout, filtered by level. */

import { formatLogLine, LOG_LEVELS, type Logger, type LogLevel } from "../core/logger.ts";

/** A logger writing lines at or above `level` to `write`. */
export function createLogger(
  options: { level: LogLevel; name?: string; write?: (line: string) => void },
): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level);
  const write = options.write ?? ((line: string) => console.log(line));
  const make = (name: string): Logger => {
    const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      write(formatLogLine({ time: new Date().toISOString(), level, name, message, fields }));
    };
    return {
      debug: log("DEBUG"),
      info: log("INFO"),
      warn: log("WARN"),
      error: log("ERROR"),
      named: (child: string) => make(name === "" ? child : `${name}.${child}`),
    };
  };
  return make(options.name ?? "");
}

/** Parses a log level name case-insensitively; undefined when unknown. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const upper = text.toUpperCase();
  return (LOG_LEVELS as readonly string[]).includes(upper) ? upper as LogLevel : undefined;
}
