/**
 * The cluster reconciler for service and batch jobs: compares a job with its
 * existing allocations and returns, per task group, what to place, stop,
 * update in place or replace. Pure: every step is a function of its inputs
 * that returns an explicit result (no shared mutable reconciler object).
 *
 * Groups with an `update` block roll out through a deployment: destructive
 * updates are limited to `max_parallel`, canaries are placed first and wait
 * for promotion, and paused or failed deployments place nothing new (see
 * deployment_reconcile.ts). Allocations on disconnected clients become
 * "unknown" and reconnect per the group's `disconnect` block (disconnect_reconcile.ts).
 */

import type { IdGenerator } from "../core/mod.ts";
import {
  type Allocation,
  allocTerminal,
  type Deployment,
  type DeploymentState,
  type DeploymentStatusUpdate,
  type DesiredUpdates,
  type Evaluation,
  type Job,
  newDeployment,
  newDeploymentState,
  newEvaluation,
  runningDescription,
  type TaskGroup,
} from "../structs/mod.ts";
import {
  type DeploymentContext,
  deploymentContext,
  destructiveLimit,
  groupComplete,
  hasUpdateStrategy,
  heldByDeployment,
  isCanarying,
  isCanaryOf,
  successfulUpdate,
} from "./deployment_reconcile.ts";
import {
  allocIndex,
  byNameIndex,
  type DelayedReschedule,
  filterByRescheduleable,
  filterByTainted,
  highestIndexes,
  nextNames,
  type TaintedNodes,
  usedIndexes,
} from "./alloc_sets.ts";
import { BATCHED_FAILED_ALLOC_WINDOW_NS } from "./reschedule.ts";
import { appendClientState, lostAfterNs, stopAfterNs, waitClientStopNs } from "./disconnect.ts";
import {
  type DisconnectResult,
  markDisconnecting,
  reconcileReconnecting,
} from "./disconnect_reconcile.ts";
import { formatRfc3339Nano } from "./time_format.ts";

/** Stop description: the job no longer needs the allocation. */
export const ALLOC_NOT_NEEDED = "alloc not needed due to job update";
/** Stop description: replaced because of a destructive job update. */
export const ALLOC_UPDATING = "alloc is being updated due to job update";
/** Stop description: its node is down. */
export const ALLOC_LOST = "alloc is lost since its node is down";
/** Stop description: moved off a draining node. */
export const ALLOC_MIGRATING = "alloc is being migrated";
/** Stop description: failed and replaced. */
export const ALLOC_RESCHEDULED = "alloc was rescheduled because it failed";
/** Status description of follow-up evaluations for delayed rescheduling. */
export const RESCHEDULING_FOLLOWUP_EVAL_DESC = "created for delayed rescheduling";

/** A new allocation to place. */
export interface PlacementRequest {
  name: string;
  taskGroup: TaskGroup;
  /** The allocation this one replaces (rescheduled, lost or migrated). */
  previousAlloc: Allocation | null;
  /** True when replacing a failed allocation (adds a reschedule event). */
  reschedule: boolean;
  /** True when replacing an allocation on a lost node. */
  lost: boolean;
  /** True for a canary of the deployment. */
  canary?: boolean;
}

/** An allocation to stop, with the description (and client status) to record. */
export interface StopRequest {
  alloc: Allocation;
  description: string;
  clientStatus: "" | "lost";
  followupEvalID: string;
}

/** A destructive update: stop `stopAlloc` and place `name` with the new job. */
export interface DestructiveUpdateRequest {
  name: string;
  taskGroup: TaskGroup;
  stopAlloc: Allocation;
  stopDescription: string;
}

/** How an existing allocation meets a new job version. */
export type AllocUpdateDecision =
  | { kind: "ignore" }
  | { kind: "destructive" }
  | { kind: "inplace"; alloc: Allocation };

/** Decides the update of one allocation; supplied by the scheduler (it checks node fit). */
export type AllocUpdateFn = (existing: Allocation, taskGroup: TaskGroup) => AllocUpdateDecision;

/** What the reconciler decided for one task group. */
export interface GroupReconcileResult {
  group: string;
  place: PlacementRequest[];
  stop: StopRequest[];
  inplaceUpdate: Allocation[];
  destructiveUpdate: DestructiveUpdateRequest[];
  /** Allocations changed without a job update (follow-up evaluation IDs). */
  attributeUpdates: Allocation[];
  /** Follow-up evaluations for failed allocations to reschedule later. */
  followupEvals: Evaluation[];
  /** Allocations on disconnected nodes, now "unknown" (Nomad's DisconnectUpdates). */
  disconnectUpdates: Allocation[];
  /** Reconnected allocations with their reconnect recorded (Nomad's ReconnectUpdates). */
  reconnectUpdates: Allocation[];
  ignore: number;
  desiredTGUpdates: DesiredUpdates;
  /** The group's deployment state, when the group takes part in the deployment. */
  deploymentState: DeploymentState | null;
  /** True when the group's rollout has nothing left to do. */
  complete: boolean;
}

/** What the reconciler decided for the job. */
export interface ReconcileResult {
  groups: GroupReconcileResult[];
  /** A deployment to create or update with the plan (null: unchanged). */
  deployment: Deployment | null;
  /** Deployment status changes (cancellations, success). */
  deploymentUpdates: DeploymentStatusUpdate[];
  /** The deployment new allocations join ("" when none). */
  deploymentID: string;
}

/** Inputs of {@linkcode reconcile}. */
export interface ReconcileInput {
  /** The job, or null when it was purged or is stopped: everything stops. */
  job: Job | null;
  jobID: string;
  batch: boolean;
  /** Every allocation of the job, terminal ones included. */
  allocs: readonly Allocation[];
  tainted: TaintedNodes;
  evalID: string;
  evalPriority: number;
  nowNs: number;
  newId: IdGenerator;
  updateFn: AllocUpdateFn;
  /** The job's latest deployment (null when it never had one). */
  deployment?: Deployment | null;
}

/** Zero counts. */
export function emptyDesiredUpdates(): DesiredUpdates {
  return {
    Ignore: 0,
    Place: 0,
    Migrate: 0,
    Stop: 0,
    InPlaceUpdate: 0,
    DestructiveUpdate: 0,
    Canary: 0,
    Preemptions: 0,
    Disconnect: 0,
    Reconnect: 0,
    RescheduleNow: 0,
    RescheduleLater: 0,
  };
}

function emptyGroupResult(group: string): GroupReconcileResult {
  return {
    group,
    place: [],
    stop: [],
    inplaceUpdate: [],
    destructiveUpdate: [],
    attributeUpdates: [],
    followupEvals: [],
    disconnectUpdates: [],
    reconnectUpdates: [],
    ignore: 0,
    desiredTGUpdates: emptyDesiredUpdates(),
    deploymentState: null,
    complete: true,
  };
}

function stopRequest(
  alloc: Allocation,
  description: string,
  clientStatus: "" | "lost" = "",
): StopRequest {
  return { alloc, description, clientStatus, followupEvalID: "" };
}

/** Groups allocations by task group: the job's groups first (in order), then removed ones. */
function groupAllocations(input: ReconcileInput): Map<string, Allocation[]> {
  const groups = new Map<string, Allocation[]>();
  for (const tg of input.job?.TaskGroups ?? []) groups.set(tg.Name, []);
  const extra = [...new Set(input.allocs.map((a) => a.TaskGroup))].filter((g) => !groups.has(g));
  for (const g of extra.sort()) groups.set(g, []);
  for (const alloc of input.allocs) groups.get(alloc.TaskGroup)?.push(alloc);
  return groups;
}

/**
 * Reconciles the job with its allocations.
 *
 * @example
 * ```ts
 * import { reconcile } from "./reconcile.ts";
 * // reconcile({ job, jobID: job.ID, batch: false, allocs: [], ... }).groups[0].place.length
 * //   === job.TaskGroups[0].Count
 * ```
 */
export function reconcile(input: ReconcileInput): ReconcileResult {
  const context = deploymentContext(input.job, input.deployment ?? null);
  const groups: GroupReconcileResult[] = [];
  for (const [group, allocs] of groupAllocations(input)) {
    const tg = input.job?.TaskGroups.find((g) => g.Name === group);
    groups.push(
      tg === undefined || input.job === null
        ? stopAll(group, allocs, input.tainted, input.nowNs)
        : reconcileGroup(input, { job: input.job, tg, allocs, context }),
    );
  }
  return withDeployment(input, { groups, context });
}

/** Creates or extends the deployment the groups take part in, and finishes a complete one. */
function withDeployment(
  input: ReconcileInput,
  options: { groups: GroupReconcileResult[]; context: DeploymentContext },
): ReconcileResult {
  const { groups, context } = options;
  const updates = [...context.updates];
  const joining = groups.filter((g) => g.deploymentState !== null);
  let deployment: Deployment | null = null;
  const base = context.current ??
    (input.job !== null && joining.length > 0
      ? newDeployment(input.job, {
        id: input.newId(),
        evalPriority: input.evalPriority,
        nowNs: input.nowNs,
      })
      : null);
  if (base !== null && joining.length > 0) {
    const taskGroups = { ...base.TaskGroups };
    for (const g of joining) {
      if (g.deploymentState !== null) taskGroups[g.group] = g.deploymentState;
    }
    const next = { ...base, TaskGroups: taskGroups };
    if (context.current === null) {
      deployment = { ...next, StatusDescription: runningDescription(next) };
    } else if (JSON.stringify(next.TaskGroups) !== JSON.stringify(base.TaskGroups)) {
      deployment = { ...next, ModifyTime: input.nowNs };
    }
  }
  const current = context.current;
  if (current !== null && current.Status === "running" && groups.every((g) => g.complete)) {
    updates.push(successfulUpdate(current));
  }
  const deploymentID = deployment?.ID ?? current?.ID ?? "";
  // In-place updates join the deployment and must prove their health again.
  const joined = groups.map((g) => ({
    ...g,
    inplaceUpdate: g.inplaceUpdate.map((a) =>
      a.DeploymentID === deploymentID
        ? a
        : { ...a, DeploymentID: deploymentID, DeploymentStatus: null }
    ),
  }));
  return { groups: joined, deployment, deploymentUpdates: updates, deploymentID };
}

/** Stops every non-terminal allocation of a stopped job or removed group. */
export function stopAll(
  group: string,
  allocs: readonly Allocation[],
  tainted: TaintedNodes,
  nowNs = 0,
): GroupReconcileResult {
  const live = allocs.filter((a) => !allocTerminal(a));
  const split = filterByTainted(live, tainted, nowNs);
  const stop = [
    ...byNameIndex([
      ...split.untainted,
      ...split.migrate,
      ...split.disconnecting,
      ...split.reconnecting,
      ...split.expiring,
      ...split.ignore,
    ]).map((a) => stopRequest(a, ALLOC_NOT_NEEDED)),
    ...byNameIndex(split.lost).map((a) => stopRequest(a, ALLOC_LOST, "lost")),
  ];
  const result = emptyGroupResult(group);
  return { ...result, stop, desiredTGUpdates: { ...result.desiredTGUpdates, Stop: live.length } };
}

/** Batch allocations of older job versions that finished are ignored entirely. */
function filterOldTerminal(
  job: Job,
  allocs: readonly Allocation[],
  batch: boolean,
): { kept: Allocation[]; ignored: number } {
  if (!batch) return { kept: [...allocs], ignored: 0 };
  const kept = allocs.filter((a) => {
    const older = a.Job === null || a.Job.Version < job.Version ||
      a.Job.CreateIndex < job.CreateIndex;
    return !(older && allocTerminal(a));
  });
  return { kept, ignored: allocs.length - kept.length };
}

/** A task group with its allocations and the deployment it rolls out in. */
interface GroupInput {
  job: Job;
  tg: TaskGroup;
  allocs: readonly Allocation[];
  context: DeploymentContext;
}

/** Allocations of a group after classification. */
interface Classified {
  tainted: ReturnType<typeof filterByTainted>;
  resched: ReturnType<typeof filterByRescheduleable>;
  canaries: Allocation[];
  canaryStops: StopRequest[];
  ignored: number;
  /** Stops decided for reconnecting allocations and their replacements. */
  reconnectStops: StopRequest[];
  reconnectUpdates: Allocation[];
  disconnect: DisconnectResult;
}

/** Splits a group's allocations; unpromoted canaries of a failed deployment are stopped. */
function classify(input: ReconcileInput, group: GroupInput, state: DeploymentState | null) {
  const { context } = group;
  const old = filterOldTerminal(group.job, group.allocs, input.batch);
  const dropCanaries = context.failed && state !== null && !state.Promoted;
  const canaryStops = dropCanaries
    ? byNameIndex(old.kept.filter((a) => !allocTerminal(a) && isCanaryOf(a, context.current)))
      .map((a) => stopRequest(a, ALLOC_NOT_NEEDED))
    : [];
  const stopped = new Set(canaryStops.map((s) => s.alloc.ID));
  const kept = old.kept.filter((a) => !stopped.has(a.ID));
  const split = filterByTainted(kept, input.tainted, input.nowNs);
  const reconnect = reconcileReconnecting(split.reconnecting, kept, {
    job: group.job,
    nowNs: input.nowNs,
  });
  const gone = new Set(reconnect.stop.map((s) => s.alloc.ID));
  const without = (list: Allocation[]) => list.filter((a) => !gone.has(a.ID));
  // Unknown allocations past lost_after are lost, unless the group never replaces.
  const replace = group.tg.PreventRescheduleOnLost !== true &&
    (group.tg.Disconnect?.Replace ?? true);
  const tainted = {
    ...split,
    untainted: without([...split.untainted, ...(replace ? [] : split.expiring)]),
    migrate: without(split.migrate),
    lost: without([...split.lost, ...(replace ? split.expiring : [])]),
    disconnecting: without(split.disconnecting),
  };
  const held = tainted.untainted.filter((a) => heldByDeployment(a, context));
  const heldIDs = new Set(held.map((a) => a.ID));
  const resched = filterByRescheduleable(
    tainted.untainted.filter((a) => !heldIDs.has(a.ID)),
    input,
  );
  resched.untainted.push(...held, ...reconnect.keep);
  const disconnect = disconnectStep(input, group, tainted.disconnecting, resched);
  const canaries = resched.untainted.filter((a) =>
    !allocTerminal(a) && isCanaryOf(a, context.current)
  );
  const out: Classified = {
    tainted,
    resched,
    canaries,
    canaryStops,
    ignored: old.ignored + split.ignore.length,
    reconnectStops: reconnect.stop.map((s) => ({
      ...stopRequest(s.alloc, s.description),
      clientStatus: s.clientStatus === "failed" ? "" : s.clientStatus,
    })),
    reconnectUpdates: reconnect.updates,
    disconnect,
  };
  return out;
}

/**
 * Allocations on a disconnected node: with a lost_after they may be
 * rescheduled (now or later) like failures counted from now, and all of them
 * become "unknown" in the plan. They keep their slots meanwhile.
 */
function disconnectStep(
  input: ReconcileInput,
  group: GroupInput,
  disconnecting: readonly Allocation[],
  resched: ReturnType<typeof filterByRescheduleable>,
): DisconnectResult {
  if (disconnecting.length === 0) return { updates: [], followupEvals: [] };
  const marked = markDisconnecting(disconnecting, {
    job: group.job,
    tg: group.tg,
    nowNs: input.nowNs,
    newId: input.newId,
    evalPriority: input.evalPriority,
  });
  const byID = new Map(marked.updates.map((a) => [a.ID, a]));
  if (lostAfterNs(group.tg) === 0) {
    resched.untainted.push(...marked.updates);
    return marked;
  }
  const split = filterByRescheduleable(disconnecting, {
    batch: input.batch,
    nowNs: input.nowNs,
    evalID: input.evalID,
    disconnecting: true,
  });
  // Replacements point at the unknown copy, as Nomad's placements do.
  const updated = (a: Allocation) => byID.get(a.ID) ?? a;
  resched.now.push(...split.now.map(updated));
  resched.untainted.push(...split.untainted.map(updated));
  resched.later.push(...split.later.map((l) => ({ ...l, alloc: updated(l.alloc) })));
  return marked;
}

/**
 * One task group: classify allocations, create follow-up evaluations, then
 * compute stops, updates (limited by the deployment), canaries, placements,
 * replacements and migrations.
 */
function reconcileGroup(input: ReconcileInput, group: GroupInput): GroupReconcileResult {
  const { job, tg, context } = group;
  const existingState = context.current?.TaskGroups[tg.Name] ?? null;
  const startState = existingState ?? (hasUpdateStrategy(tg) ? newDeploymentState(tg) : null);
  const c = classify(input, group, startState);
  const laterFollowups = rescheduleLaterEvals(input, job, c.resched.later);
  // A disconnected allocation carries its follow-up on its unknown update instead.
  const laterIDs = new Map(laterFollowups.attributeUpdates.map((a) => [a.ID, a.FollowupEvalID]));
  const disconnectUpdates = c.disconnect.updates.map((a) =>
    laterIDs.has(a.ID) ? { ...a, FollowupEvalID: laterIDs.get(a.ID)! } : a
  );
  const disconnectIDs = new Set(disconnectUpdates.map((a) => a.ID));
  const followups = {
    evals: [...c.disconnect.followupEvals, ...laterFollowups.evals],
    attributeUpdates: laterFollowups.attributeUpdates.filter((a) => !disconnectIDs.has(a.ID)),
  };
  // Lost allocations of a group with stop_on_client_after: their client stops
  // them on its own; replacements wait for that (Nomad's delayByStopAfter).
  const lostLater = stopAfterNs(tg) === 0 ? [] : c.tainted.lost
    .map((alloc) => ({ alloc, timeNs: waitClientStopNs(alloc, tg, input.nowNs) }))
    .filter((later) => later.timeNs > input.nowNs);
  const lostFollowups = rescheduleLaterEvals(input, job, lostLater);
  const lostFollowupIDs = new Map(
    lostFollowups.attributeUpdates.map((a) => [a.ID, a.FollowupEvalID]),
  );
  const names = usedIndexes([
    ...c.resched.untainted,
    ...c.tainted.migrate,
    ...c.resched.now,
    ...c.tainted.lost,
  ]);
  const waiting = isCanarying(startState);
  const computed = computeStop({
    tg,
    names,
    untainted: c.resched.untainted,
    migrate: c.tainted.migrate,
    lost: c.tainted.lost,
    canaries: c.canaries,
    canaryState: waiting,
    nowNs: input.nowNs,
  });
  const stops = {
    ...computed,
    stop: computed.stop.map((st) => {
      const followupEvalID = lostFollowupIDs.get(st.alloc.ID);
      return followupEvalID === undefined ? st : { ...st, followupEvalID };
    }),
  };
  const updates = computeUpdates(tg, stops.untainted, input.updateFn);
  const canary = canaryPlan({ tg, state: startState, existingState, context, c, updates });
  const limit = destructiveLimit({
    tg,
    context,
    canarying: isCanarying(canary.state),
    untainted: stops.untainted,
    changes: updates.destructive.length + stops.migrate.length,
  });
  const chosen = updates.destructive.slice(0, limit);
  const canaryIDs = new Set(c.canaries.map((a) => a.ID));
  const slotHolders = stops.untainted.filter((a) => !(waiting && canaryIDs.has(a.ID)));
  let place = computePlacements({
    job,
    tg,
    names: stops.names,
    existing: slotHolders.length + stops.migrate.length + c.resched.now.length,
    rescheduleNow: c.resched.now,
    lost: c.tainted.lost,
  });
  if (lostLater.length > 0) {
    // A lost allocation waiting for its client to stop it delays every placement of the group.
    place = [];
  } else if (context.paused || context.failed || isCanarying(canary.state)) {
    // Only replacements: no new allocations until the deployment may go on.
    place = place.filter((p) => p.previousAlloc !== null);
  }
  // Unknown allocations are replaced but not stopped: they may still reconnect.
  const rescheduledStops = byNameIndex(
    c.resched.now.filter((a) => a.ClientStatus !== "unknown" && !disconnectIDs.has(a.ID)),
  ).map((a) => stopRequest(a, ALLOC_RESCHEDULED));
  const destructiveUpdate = chosen.map((a) => ({
    name: a.Name,
    taskGroup: tg,
    stopAlloc: a,
    stopDescription: ALLOC_UPDATING,
  }));
  const migrations = computeMigrations(tg, stops.migrate);
  const ignore = c.ignored + updates.ignore + (updates.destructive.length - chosen.length);
  const hadRunning = group.allocs.some((a) =>
    a.Job !== null && a.Job.Version === job.Version && a.Job.CreateIndex === job.CreateIndex
  );
  const updatingSpec = updates.destructive.length + updates.inplace.length > 0;
  const joins = canary.state !== null &&
    (existingState !== null || (tg.Count > 0 && (!hadRunning || updatingSpec)));
  const pending = updates.destructive.length + updates.inplace.length + place.length +
    canary.place.length + migrations.place.length + c.resched.now.length +
    c.resched.later.length;
  return {
    group: tg.Name,
    place: [...canary.place, ...place, ...migrations.place],
    stop: [
      ...c.canaryStops,
      ...c.reconnectStops,
      ...stops.stop,
      ...rescheduledStops,
      ...migrations.stop,
    ],
    inplaceUpdate: updates.inplace,
    destructiveUpdate,
    // A stopped or replaced allocation needs no follow-up mark (it would undo the stop).
    attributeUpdates: followups.attributeUpdates.filter((a) =>
      !chosen.some((d) => d.ID === a.ID) && !stops.stop.some((st) => st.alloc.ID === a.ID)
    ),
    followupEvals: [...followups.evals, ...lostFollowups.evals],
    disconnectUpdates,
    reconnectUpdates: c.reconnectUpdates,
    ignore,
    desiredTGUpdates: {
      ...emptyDesiredUpdates(),
      Ignore: ignore,
      Place: place.length,
      Stop: c.canaryStops.length + c.reconnectStops.length + stops.stop.length +
        rescheduledStops.length,
      Migrate: migrations.stop.length,
      InPlaceUpdate: updates.inplace.length,
      DestructiveUpdate: destructiveUpdate.length,
      Canary: canary.place.length,
      Disconnect: disconnectUpdates.length,
      Reconnect: c.reconnectUpdates.length,
      // Nomad counts reschedule-now only while the group has disconnecting allocations.
      RescheduleNow: c.tainted.disconnecting.length > 0 ? c.resched.now.length : 0,
      RescheduleLater: c.resched.later.length,
    },
    deploymentState: joins ? canary.state : null,
    complete: groupComplete({ pending, requireCanary: canary.require, state: existingState }),
  };
}

/** Whether the group needs canaries, its updated deployment state, and the canaries to place. */
function canaryPlan(input: {
  tg: TaskGroup;
  state: DeploymentState | null;
  existingState: DeploymentState | null;
  context: DeploymentContext;
  c: Classified;
  updates: { destructive: Allocation[] };
}): { require: boolean; state: DeploymentState | null; place: PlacementRequest[] } {
  const { tg, state, context, c } = input;
  const wanted = hasUpdateStrategy(tg) ? tg.Update?.Canary ?? 0 : 0;
  const promoted = input.existingState?.Promoted ?? false;
  const require = input.updates.destructive.length > 0 && wanted > 0 &&
    c.canaries.length < wanted && !promoted;
  if (!require || state === null) return { require, state, place: [] };
  const next = { ...state, DesiredCanaries: wanted };
  if (context.paused || context.failed) return { require, state: next, place: [] };
  // Canaries take the names of the allocations they would replace (Nomad's NextCanaries).
  const taken = new Set(c.canaries.map((a) => a.Name));
  const names = [...new Set(byNameIndex(input.updates.destructive).map((a) => a.Name))]
    .filter((n) => !taken.has(n)).slice(0, wanted - c.canaries.length);
  if (names.length < wanted - c.canaries.length) {
    const used = usedIndexes(c.resched.untainted);
    const extra = nextNames(used, {
      jobID: c.resched.untainted[0]?.JobID ?? "",
      group: tg.Name,
      count: tg.Count,
      n: wanted - c.canaries.length - names.length,
    });
    names.push(...extra.names);
  }
  const place = names.map((name) => ({
    name,
    taskGroup: tg,
    previousAlloc: null,
    reschedule: false,
    lost: false,
    canary: true,
  }));
  return { require, state: next, place };
}

/**
 * Batches delayed reschedules into follow-up evaluations (one per 5 s window)
 * and records each evaluation's ID on its allocation.
 */
export function rescheduleLaterEvals(
  input: Pick<ReconcileInput, "newId" | "evalPriority" | "nowNs">,
  job: Job,
  later: readonly DelayedReschedule[],
): { evals: Evaluation[]; attributeUpdates: Allocation[] } {
  const sorted = [...later].sort((a, b) => a.timeNs - b.timeNs);
  const evals: Evaluation[] = [];
  const attributeUpdates: Allocation[] = [];
  let current: Evaluation | null = null;
  let batchStartNs = 0;
  for (const item of sorted) {
    if (current === null || item.timeNs - batchStartNs >= BATCHED_FAILED_ALLOC_WINDOW_NS) {
      batchStartNs = item.timeNs;
      current = newEvaluation({
        ID: input.newId(),
        Namespace: job.Namespace,
        Priority: input.evalPriority,
        Type: job.Type,
        TriggeredBy: "alloc-failure",
        JobID: job.ID,
        JobModifyIndex: job.ModifyIndex,
        Status: "pending",
        StatusDescription: RESCHEDULING_FOLLOWUP_EVAL_DESC,
        WaitUntil: formatRfc3339Nano(item.timeNs),
        CreateTime: input.nowNs,
        ModifyTime: input.nowNs,
      });
      evals.push(current);
    }
    attributeUpdates.push({ ...item.alloc, FollowupEvalID: current.ID });
  }
  return { evals, attributeUpdates };
}

interface StopInput {
  tg: TaskGroup;
  names: ReadonlySet<number>;
  untainted: readonly Allocation[];
  migrate: readonly Allocation[];
  lost: readonly Allocation[];
  /** Canaries of the current deployment. */
  canaries?: readonly Allocation[];
  /** True while those canaries wait for promotion: they do not count toward the count. */
  canaryState?: boolean;
  /** Records when lost allocations were marked lost (their AllocStates). */
  nowNs?: number;
}

interface StopOutput {
  stop: StopRequest[];
  untainted: Allocation[];
  migrate: Allocation[];
  names: Set<number>;
}

/**
 * Stops lost allocations, then — when more allocations exist than the count —
 * the highest-indexed ones, preferring those that are migrating anyway.
 */
export function computeStop(input: StopInput): StopOutput {
  const stop = byNameIndex(input.lost).map((a) =>
    stopRequest(
      input.nowNs === undefined
        ? a
        : { ...a, AllocStates: appendClientState(a, "lost", input.nowNs) },
      ALLOC_LOST,
      "lost",
    )
  );
  const canaries = input.canaries ?? [];
  const canaryIDs = new Set(canaries.map((a) => a.ID));
  const counted = input.canaryState === true
    ? input.untainted.filter((a) => !canaryIDs.has(a.ID))
    : input.untainted;
  const known = counted.filter((a) => a.ClientStatus !== "unknown");
  let remove = known.length + input.migrate.length - input.tg.Count;
  const names = new Set(input.names);
  if (remove <= 0) {
    return { stop, untainted: [...input.untainted], migrate: [...input.migrate], names };
  }
  const stopped = new Set<string>();
  const mark = (a: Allocation) => {
    stopped.add(a.ID);
    stop.push(stopRequest(a, ALLOC_NOT_NEEDED));
    remove--;
  };
  // Promoted canaries replace the allocations whose names they took.
  if (input.canaryState !== true && canaries.length > 0) {
    const canaryNames = new Set(canaries.map((a) => a.Name));
    for (const a of byNameIndex(counted)) {
      if (remove > 0 && !canaryIDs.has(a.ID) && !allocTerminal(a) && canaryNames.has(a.Name)) {
        mark(a);
      }
    }
  }
  // Migrating allocations go first: they would be replaced anyway.
  const migrateHighest = new Set(highestIndexes(usedIndexes(input.migrate), remove));
  for (const a of byNameIndex(input.migrate).reverse()) {
    if (remove > 0 && migrateHighest.has(allocIndex(a.Name))) {
      mark(a);
      names.delete(allocIndex(a.Name));
    }
  }
  const live = byNameIndex(
    counted.filter((a) => !allocTerminal(a) && !stopped.has(a.ID) && !canaryIDs.has(a.ID)),
  ).reverse();
  const highest = new Set(highestIndexes(names, remove));
  for (const i of highest) names.delete(i);
  for (const a of live) if (remove > 0 && highest.has(allocIndex(a.Name))) mark(a);
  // Duplicate names can leave too many running; stop the highest remaining.
  for (const a of live) if (remove > 0 && !stopped.has(a.ID)) mark(a);
  return {
    stop,
    untainted: input.untainted.filter((a) => !stopped.has(a.ID)),
    migrate: input.migrate.filter((a) => !stopped.has(a.ID)),
    names,
  };
}

/** Splits the remaining allocations into ignored, in-place and destructive updates. */
export function computeUpdates(
  tg: TaskGroup,
  untainted: readonly Allocation[],
  updateFn: AllocUpdateFn,
): { ignore: number; inplace: Allocation[]; destructive: Allocation[] } {
  let ignore = 0;
  const inplace: Allocation[] = [];
  const destructive: Allocation[] = [];
  for (const alloc of byNameIndex(untainted)) {
    const decision = updateFn(alloc, tg);
    if (decision.kind === "ignore") ignore++;
    else if (decision.kind === "destructive") destructive.push(alloc);
    else inplace.push(decision.alloc);
  }
  return { ignore, inplace, destructive };
}

interface PlacementInput {
  job: Job;
  tg: TaskGroup;
  names: ReadonlySet<number>;
  /** Allocations that keep (or will keep) a slot: untainted, migrating, rescheduled. */
  existing: number;
  rescheduleNow: readonly Allocation[];
  lost: readonly Allocation[];
}

/**
 * Placements: replacements for failed allocations rescheduled now, for lost
 * ones up to the count, then new allocations with the lowest free names.
 */
export function computePlacements(input: PlacementInput): PlacementRequest[] {
  const { tg } = input;
  const place: PlacementRequest[] = byNameIndex(input.rescheduleNow).map((a) => ({
    name: a.Name,
    taskGroup: tg,
    previousAlloc: a,
    reschedule: true,
    lost: false,
  }));
  let existing = input.existing;
  for (const a of byNameIndex(input.lost)) {
    if (existing >= tg.Count) break;
    existing++;
    place.push({ name: a.Name, taskGroup: tg, previousAlloc: a, reschedule: false, lost: true });
  }
  if (existing < tg.Count) {
    const next = nextNames(input.names, {
      jobID: input.job.ID,
      group: tg.Name,
      count: tg.Count,
      n: tg.Count - existing,
    });
    for (const name of next.names) {
      place.push({ name, taskGroup: tg, previousAlloc: null, reschedule: false, lost: false });
    }
  }
  return place;
}

/** Migrations: stop each migrating allocation and place its replacement under the same name. */
export function computeMigrations(
  tg: TaskGroup,
  migrate: readonly Allocation[],
): { stop: StopRequest[]; place: PlacementRequest[] } {
  const ordered = byNameIndex(migrate);
  return {
    stop: ordered.map((a) => stopRequest(a, ALLOC_MIGRATING)),
    place: ordered.map((a) => ({
      name: a.Name,
      taskGroup: tg,
      previousAlloc: a,
      reschedule: false,
      lost: false,
    })),
  };
}
