/**
 * The CLI's window on the world: output writers, environment, stdin and an
 * interrupt signal, injectable so that commands run inside tests.
 */

/** Somewhere text or bytes can be written. */
export interface Writer {
  /** Writes all of `chunk`. */
  write(chunk: string | Uint8Array): void;
}

/** Everything a command may touch besides the network and job files. */
export interface CliIo {
  /** Standard output. */
  stdout: Writer;
  /** Standard error. */
  stderr: Writer;
  /** Environment variables (NOMAD_ADDR, NOMAD_VAR_*, ...). */
  env: Readonly<Record<string, string>>;
  /** Reads all of standard input (for `nomad job run -`). */
  readStdin(): Promise<string>;
  /** Reads one line of standard input for a prompt; null at end of input. */
  readLine(): Promise<string | null>;
  /**
   * A signal aborted when the user interrupts (Ctrl-C). Only commands that
   * must end cleanly on interrupt (log following) ask for it; elsewhere the
   * default action ends the process.
   */
  interruptSignal(): AbortSignal;
  /** Current time in Unix milliseconds (fixed in tests for stable ages). */
  now(): number;
  /** True when standard output is a terminal (some commands print tables then, JSON otherwise). */
  stdoutIsTerminal?: boolean;
}

/** Longest stdin accepted for a job file. */
export const MAX_STDIN_BYTES = 16 * 1024 * 1024;

const encoder = new TextEncoder();

/** A writer onto a Deno file resource; a closed pipe ends the process like SIGPIPE does in Go. */
export function fileWriter(file: { writeSync(p: Uint8Array): number }): Writer {
  return {
    write(chunk: string | Uint8Array): void {
      let bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
      try {
        while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
      } catch (error) {
        if (error instanceof Deno.errors.BrokenPipe) Deno.exit(141);
        throw error;
      }
    },
  };
}

/** The real process streams, environment and Ctrl-C. */
export function denoIo(): CliIo {
  let controller: AbortController | undefined;
  return {
    stdout: fileWriter(Deno.stdout),
    stderr: fileWriter(Deno.stderr),
    env: Deno.env.toObject(),
    readStdin: () => readAllStdin(),
    readLine: () => readStdinLine(),
    now: () => Date.now(),
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    interruptSignal(): AbortSignal {
      if (controller === undefined) {
        const created = new AbortController();
        Deno.addSignalListener("SIGINT", () => created.abort());
        controller = created;
      }
      return controller.signal;
    },
  };
}

async function readAllStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of Deno.stdin.readable) {
    total += chunk.length;
    if (total > MAX_STDIN_BYTES) throw new RangeError(`stdin exceeds ${MAX_STDIN_BYTES} bytes`);
    chunks.push(chunk);
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(all);
}

async function readStdinLine(): Promise<string | null> {
  const buffer = new Uint8Array(1);
  const bytes: number[] = [];
  while (bytes.length < 4096) {
    const n = await Deno.stdin.read(buffer);
    if (n === null) {
      return bytes.length === 0 ? null : new TextDecoder().decode(new Uint8Array(bytes));
    }
    if (buffer[0] === 0x0a) break;
    bytes.push(buffer[0] ?? 0);
  }
  return new TextDecoder().decode(new Uint8Array(bytes)).replace(/\r$/, "");
}

/** Writes whole lines the way mitchellh/cli's `Ui` does. */
export class Ui {
  #io: CliIo;

  /** Wraps the process streams. */
  constructor(io: CliIo) {
    this.#io = io;
  }

  /** A line on standard output. */
  output(text: string): void {
    this.#io.stdout.write(text + "\n");
  }

  /** Informational line (standard output, like Nomad's uncoloured Info). */
  info(text: string): void {
    this.output(text);
  }

  /** A line on standard error. */
  error(text: string): void {
    this.#io.stderr.write(text + "\n");
  }

  /** A warning (standard error). */
  warn(text: string): void {
    this.error(text);
  }

  /** Prints `question` and reads the answer (trimmed); "" at end of input. */
  async ask(question: string): Promise<string> {
    this.#io.stdout.write(question + " ");
    return ((await this.#io.readLine()) ?? "").trim();
  }
}

/**
 * A Ui that prefixes each message, like mitchellh/cli's `PrefixedUi` (the eval
 * monitor prints `==> ` before info and `    ` before output). Empty messages
 * are printed without prefix.
 */
export class PrefixedUi extends Ui {
  #infoPrefix: string;
  #outputPrefix: string;

  /** Wraps `io` with the given prefixes. */
  constructor(io: CliIo, prefixes: { info: string; output: string }) {
    super(io);
    this.#infoPrefix = prefixes.info;
    this.#outputPrefix = prefixes.output;
  }

  /** Output with the output prefix. */
  override output(text: string): void {
    super.output(text === "" ? text : this.#outputPrefix + text);
  }

  /** Info with the info prefix. */
  override info(text: string): void {
    super.output(text === "" ? text : this.#infoPrefix + text);
  }

  /** Errors use the info prefix, as Nomad's monitor does. */
  override error(text: string): void {
    super.error(text === "" ? text : this.#infoPrefix + text);
  }
}
