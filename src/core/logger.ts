/** Logging interface; the agent owns the sink, cores receive a {@linkcode Logger}. */

/** Log levels in Nomad's order. */
export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] as const;
/** One of {@linkcode LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

/** A structured logger writing Nomad-style lines: `<time> [LEVEL] <name>: msg: k=v`. */
export interface Logger {
  /** Debug detail. */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Normal operation. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Something unexpected but handled. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** A failure. */
  error(message: string, fields?: Record<string, unknown>): void;
  /** A child logger whose lines carry `name` (e.g. "client.alloc_runner"). */
  named(name: string): Logger;
}

/** A logger that drops everything (tests, pure code). */
export const nullLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  named() {
    return nullLogger;
  },
};

/** Formats one log line; the sink supplies the timestamp. */
export function formatLogLine(
  options: {
    time: string;
    level: LogLevel;
    name: string;
    message: string;
    fields?: Record<string, unknown> | undefined;
  },
): string {
  const kv = Object.entries(options.fields ?? {})
    .map(([k, v]) =>
      `${k}=${
        typeof v === "string" ? (v.includes(" ") ? JSON.stringify(v) : v) : JSON.stringify(v)
      }`
    )
    .join(" ");
  const name = options.name ? `${options.name}: ` : "";
  const level = `[${options.level}]`.padEnd(7);
  return `    ${options.time} ${level} ${name}${options.message}${kv ? `: ${kv}` : ""}`;
}
