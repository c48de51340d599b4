/**
 * Node.UpdateDrain and Node.UpdateEligibility: the Raft entries they write,
 * as plain functions of (state, request, time), with Nomad's errors. The
 * Server methods call these and apply the result.
 */

import { CodedError } from "../core/errors.ts";
import type { NodeUpdateDrainEntry, NodeUpdateEligibilityEntry } from "../fsm/mod.ts";
import { nodeEvaluations } from "../scheduler/mod.ts";
import type {
  Allocation,
  DrainStrategy,
  Evaluation,
  Job,
  Node,
  NodeEvent,
  NodeUpdateDrainRequest,
  NodeUpdateEligibilityRequest,
  SchedulingEligibility,
} from "../structs/mod.ts";
import { ZERO_TIME } from "./drainer.ts";

/** Node event messages Nomad writes for drains and eligibility. */
export const NODE_EVENTS = {
  drainSet: "Node drain strategy set",
  drainUpdated: "Node drain strategy updated",
  drainDisabled: "Node drain disabled",
  eligible: "Node marked as eligible for scheduling",
  ineligible: "Node marked as ineligible for scheduling",
} as const;

function rfc3339(unixNs: number): string {
  return new Date(Math.floor(unixNs / 1e6)).toISOString();
}

function event(message: string, subsystem: string, nowNs: number): NodeEvent {
  return {
    Message: message,
    Subsystem: subsystem,
    Details: null,
    Timestamp: rfc3339(nowNs),
    CreateIndex: 0,
  };
}

function findNode(nodes: { nodeByID(id: string): Node | undefined }, id: string): Node {
  const node = nodes.nodeByID(id);
  if (node === undefined) throw new CodedError(500, "node not found");
  return node;
}

/** Node.UpdateDrain's entry: start time kept across updates, force deadline from now. */
export function drainEntry(
  state: { nodeByID(id: string): Node | undefined },
  request: NodeUpdateDrainRequest,
  nowNs: number,
): NodeUpdateDrainEntry {
  if (request.NodeID === "") throw new CodedError(500, "missing node ID for drain update");
  const node = findNode(state, request.NodeID);
  let strategy: DrainStrategy | null = null;
  if (request.DrainSpec !== null) {
    const deadline = request.DrainSpec.Deadline;
    strategy = {
      Deadline: deadline,
      IgnoreSystemJobs: request.DrainSpec.IgnoreSystemJobs,
      ForceDeadline: deadline > 0 ? rfc3339(nowNs + deadline) : ZERO_TIME,
      StartedAt: node.DrainStrategy?.StartedAt ?? rfc3339(nowNs),
    };
  }
  const message = node.DrainStrategy === null
    ? strategy === null ? null : NODE_EVENTS.drainSet
    : strategy === null
    ? NODE_EVENTS.drainDisabled
    : NODE_EVENTS.drainUpdated;
  return {
    Type: "NodeUpdateDrain",
    NodeID: node.ID,
    DrainStrategy: strategy,
    MarkEligible: request.MarkEligible,
    Meta: request.Meta,
    UpdatedAt: nowNs,
    Event: message === null ? null : event(message, "Drain", nowNs),
  };
}

/**
 * Node.UpdateEligibility's entry, or null when the node already has that
 * eligibility (Nomad then writes nothing).
 */
export function eligibilityEntry(
  state: { nodeByID(id: string): Node | undefined },
  request: NodeUpdateEligibilityRequest,
  nowNs: number,
): NodeUpdateEligibilityEntry | null {
  if (request.NodeID === "") {
    throw new CodedError(500, "missing node ID for setting scheduling eligibility");
  }
  const eligibility = request.Eligibility;
  if (eligibility !== "eligible" && eligibility !== "ineligible") {
    throw new CodedError(500, `invalid scheduling eligibility ${JSON.stringify(eligibility)}`);
  }
  const node = findNode(state, request.NodeID);
  if (node.DrainStrategy !== null && eligibility === "eligible") {
    throw new CodedError(
      500,
      "can not set node's scheduling eligibility to eligible while it is draining",
    );
  }
  if (node.SchedulingEligibility === eligibility) return null;
  return {
    Type: "NodeUpdateEligibility",
    NodeID: node.ID,
    Eligibility: eligibility as SchedulingEligibility,
    UpdatedAt: nowNs,
    Event: event(
      eligibility === "eligible" ? NODE_EVENTS.eligible : NODE_EVENTS.ineligible,
      "Cluster",
      nowNs,
    ),
    Evals: [],
  };
}

/**
 * Nomad's createNodeEvals for drain, eligibility and heartbeat changes: the
 * scheduler's one rule ({@linkcode nodeEvaluations}) — one `node-update`
 * evaluation per job with an allocation on the node, plus every system job
 * whose datacenters and node pool include it.
 */
export function nodeEvals(
  state: {
    allocsByNode(nodeID: string): readonly Allocation[];
    jobs(namespace: string): readonly Job[];
  },
  node: Node,
  options: { nowNs: number; newId: () => string },
): Evaluation[] {
  return nodeEvaluations({
    node,
    allocs: state.allocsByNode(node.ID),
    jobs: state.jobs("*"),
    newId: options.newId,
    nowNs: options.nowNs,
  });
}
