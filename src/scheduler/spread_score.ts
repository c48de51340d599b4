/**
 * Spread scoring (Nomad's SpreadIterator): for each `spread` block of the
 * task group and the job, how the allocations of the group are spread over
 * the values of an attribute, and a boost for a node whose value is below its
 * desired share (explicit targets with percentages, the implicit "*" target for
 * the remainder, or an even spread when there are no targets).
 */

import { type Allocation, allocTerminal, type Job, type Node, type Plan } from "../structs/mod.ts";
import type { Spread, TaskGroup } from "../structs/mod.ts";
import { resolveTarget } from "./constraints.ts";

/** Target value that takes the share the explicit targets leave. */
export const IMPLICIT_TARGET = "*";

/** One spread block, resolved for a task group. */
export interface SpreadDetail {
  attribute: string;
  weight: number;
  /** Desired allocation count per value; null for an even spread. */
  desired: ReadonlyMap<string, number> | null;
}

/** What scoring needs: the spread blocks and how many allocations each value holds now. */
export interface SpreadState {
  details: readonly SpreadDetail[];
  sumWeights: number;
  /** Per detail: attribute value → allocations of the group (existing and planned). */
  used: readonly ReadonlyMap<string, number>[];
}

/** The group's spread blocks followed by the job's (Nomad's order). */
export function combinedSpreads(job: Job, tg: TaskGroup): Spread[] {
  return [...(tg.Spreads ?? []), ...(job.Spreads ?? [])];
}

/**
 * Desired counts per value: `percent / 100 × count` for each target, and the
 * remainder on the implicit target when the targets do not cover the count.
 * Fractional shares are rounded to whole allocations by largest remainder
 * (the counts still sum to the same total), so every value ends within one
 * allocation of its share. Nomad scores the raw fractions, which can leave a
 * large share more than one allocation short next to a share below one
 * allocation (0.3 rounds to 0 here: that value is placed on only when needed).
 */
export function desiredCounts(spread: Spread, count: number): Map<string, number> | null {
  const targets = spread.SpreadTarget ?? [];
  if (targets.length === 0) return null;
  const shares: [string, number][] = targets.map((t) => [t.Value, (t.Percent / 100) * count]);
  const sum = shares.reduce((total, [, share]) => total + share, 0);
  if (sum > 0 && sum < count) shares.push([IMPLICIT_TARGET, count - sum]);
  const total = shares.reduce((t, [, share]) => t + share, 0);
  return new Map(wholeShares(shares, Math.round(total)));
}

/** Largest-remainder rounding of `shares` to integers summing to `total`. */
function wholeShares(shares: [string, number][], total: number): [string, number][] {
  const whole = shares.map(([value, share]): [string, number] => [value, Math.floor(share + 1e-9)]);
  let left = total - whole.reduce((sum, [, n]) => sum + n, 0);
  const byRemainder = shares
    .map(([, share], i) => ({ i, remainder: share - whole[i]![1] }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    whole[i]![1] += 1;
    left -= 1;
  }
  return whole;
}

/** Inputs for {@linkcode spreadState}. */
export interface SpreadStateInput {
  job: Job;
  taskGroup: TaskGroup;
  /** Every allocation of the job in the state (terminal ones are ignored). */
  existing: readonly Allocation[];
  plan: Plan;
  nodeByID: (id: string) => Node | undefined;
}

// The group's live allocations once the plan applies: state minus plan stops, plus plan placements.
function groupAllocations(input: SpreadStateInput): Allocation[] {
  const { job, taskGroup, plan } = input;
  const byID = new Map<string, Allocation>();
  const mine = (a: Allocation) =>
    a.TaskGroup === taskGroup.Name && a.JobID === job.ID && a.Namespace === job.Namespace;
  for (const alloc of input.existing) {
    if (mine(alloc) && !allocTerminal(alloc)) byID.set(alloc.ID, alloc);
  }
  for (const stops of Object.values(plan.NodeUpdate)) {
    for (const alloc of stops) byID.delete(alloc.ID);
  }
  for (const allocs of Object.values(plan.NodeAllocation)) {
    for (const alloc of allocs) {
      if (!mine(alloc)) continue;
      if (allocTerminal(alloc)) byID.delete(alloc.ID);
      else byID.set(alloc.ID, alloc);
    }
  }
  return [...byID.values()];
}

/**
 * How the task group's allocations are spread right now, or null when the
 * group has no spread blocks (the hot path: nothing to score).
 */
export function spreadState(input: SpreadStateInput): SpreadState | null {
  const spreads = combinedSpreads(input.job, input.taskGroup);
  if (spreads.length === 0) return null;
  const details = spreads.map((s) => ({
    attribute: s.Attribute,
    weight: s.Weight,
    desired: desiredCounts(s, input.taskGroup.Count),
  }));
  const used = details.map(() => new Map<string, number>());
  for (const alloc of groupAllocations(input)) {
    const node = input.nodeByID(alloc.NodeID);
    if (node === undefined) continue;
    details.forEach((detail, i) => {
      const value = resolveTarget(detail.attribute, node);
      if (!value.found) return;
      const counts = used[i]!;
      counts.set(value.value, (counts.get(value.value) ?? 0) + 1);
    });
  }
  const sumWeights = details.reduce((sum, d) => sum + d.weight, 0);
  return { details, sumWeights, used };
}

/**
 * Even spread: boost a node whose value holds the fewest allocations, penalize
 * one above the minimum, and give the maximum penalty when every value is
 * level (Nomad's evenSpreadScoreBoost).
 */
export function evenSpreadBoost(used: ReadonlyMap<string, number>, value: string): number {
  if (used.size === 0) return 0;
  const current = used.get(value) ?? 0;
  let min = 0;
  let max = 0;
  for (const count of used.values()) {
    if (min === 0 || count < min) min = count;
    if (max === 0 || count > max) max = count;
  }
  if (current !== min) return min === 0 ? -1 : (min - current) / min;
  if (min === max) return -1;
  return (max - current) / min;
}

/**
 * The spread score of placing one more allocation on `node`: the sum over
 * spread blocks of each block's boost, weighted by its share of the total
 * weight (targets) or unweighted (even spread). A node missing the attribute,
 * or whose value has no desired share, gets −1 for that block.
 *
 * @example
 * ```ts
 * import { spreadScore } from "./spread_score.ts";
 * // two of four wanted on dc1 so far: ((4 - 3) / 4) × 1 = 0.25
 * ```
 */
export function spreadScore(state: SpreadState, node: Node): number {
  let total = 0;
  state.details.forEach((detail, i) => {
    const value = resolveTarget(detail.attribute, node);
    if (!value.found) {
      total -= 1;
      return;
    }
    const used = state.used[i]!;
    if (detail.desired === null) {
      total += evenSpreadBoost(used, value.value);
      return;
    }
    const desired = detail.desired.get(value.value) ?? detail.desired.get(IMPLICIT_TARGET);
    if (desired === undefined || desired <= 0) {
      total -= 1;
      return;
    }
    const usedCount = (used.get(value.value) ?? 0) + 1;
    const weight = state.sumWeights === 0 ? 0 : detail.weight / state.sumWeights;
    total += ((desired - usedCount) / desired) * weight;
  });
  return total;
}
