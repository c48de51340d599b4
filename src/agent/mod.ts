/** The agent: wires server, client, drivers and the HTTP API; `nomad agent` lives here. */
export { runAgent } from "./command.ts";
export { Agent } from "./agent.ts";
export type { AgentSettings } from "./settings.ts";
