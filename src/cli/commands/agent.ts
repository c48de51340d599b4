/**
 * `nomad agent` and the hidden `nomad executor`: thin doors into modules that
 * own their flags. They are imported lazily so the CLI starts fast and builds
 * before those modules exist.
 */

import type { Command } from "../cli.ts";
import { errorMessage } from "../helpers.ts";

/** What the CLI needs from `src/agent/mod.ts`. */
interface AgentModule {
  runAgent(args: string[]): Promise<number>;
}

/** What the CLI needs from `drivers/executor/mod.ts`. */
interface ExecutorModule {
  runExecutor(args: string[]): Promise<number>;
}

/** `nomad agent ...`: every argument, `-h` included, goes to the agent. */
export const agentCommand: Command = {
  name: "agent",
  synopsis: "Runs a Nomad agent",
  ownsHelpFlag: true,
  help: () =>
    "Usage: nomad agent [options]\n\n" +
    "  Starts the Nomad agent and runs until an interrupt is received.\n" +
    "  The agent may be a client and/or server.",
  async run(args, ctx) {
    let agent: AgentModule;
    try {
      agent = await import("../../agent/mod.ts");
    } catch (error) {
      ctx.ui.error(`Error loading agent: ${errorMessage(error)}`);
      return 1;
    }
    return await agent.runAgent(args);
  },
};

/** `nomad executor ...`: the task supervisor helper process (hidden). */
export const executorCommand: Command = {
  name: "executor",
  synopsis: "Runs the task executor helper",
  hidden: true,
  ownsHelpFlag: true,
  help: () => "Usage: nomad executor [options]\n\n  Internal: supervises task processes.",
  async run(args, ctx) {
    let executor: ExecutorModule;
    try {
      executor = await import("../../../drivers/executor/mod.ts");
    } catch (error) {
      ctx.ui.error(`Error loading executor: ${errorMessage(error)}`);
      return 1;
    }
    return await executor.runExecutor(args);
  },
};
