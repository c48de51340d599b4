/**
 * Node affinity (Nomad's NodeAffinityIterator): the affinities of the job, the
 * task group and its tasks, each a constraint with a weight in −100..100. A
 * node scores the sum of the weights it matches over the sum of all absolute
 * weights, so the score lies in [−1, 1].
 */

import type { Affinity, Job, Node, TaskGroup } from "../structs/mod.ts";
import { checkConstraint, resolveTarget } from "./constraints.ts";

/** Every affinity that applies to a placement of `tg`: job, then group, then tasks. */
export function combinedAffinities(job: Job, tg: TaskGroup): Affinity[] {
  return [
    ...(job.Affinities ?? []),
    ...(tg.Affinities ?? []),
    ...tg.Tasks.flatMap((t) => t.Affinities ?? []),
  ];
}

/** True when the node satisfies the affinity's constraint (any operand constraints support). */
export function matchesAffinity(affinity: Affinity, node: Node): boolean {
  return checkConstraint(
    affinity.Operand,
    resolveTarget(affinity.LTarget, node),
    resolveTarget(affinity.RTarget, node),
  );
}

/**
 * The normalized affinity score of a node in [−1, 1]; 0 when there are no
 * affinities (or all weights are zero).
 *
 * @example
 * ```ts
 * import { affinityScore } from "./affinity_score.ts";
 * // affinityScore([{ LTarget: "${node.datacenter}", Operand: "=", RTarget: "dc1", Weight: 50 }], node) → 1
 * affinityScore([], {} as never); // 0
 * ```
 */
export function affinityScore(affinities: readonly Affinity[], node: Node): number {
  let sumWeight = 0;
  let total = 0;
  for (const affinity of affinities) {
    sumWeight += Math.abs(affinity.Weight);
    if (matchesAffinity(affinity, node)) total += affinity.Weight;
  }
  if (sumWeight === 0) return 0;
  return total / sumWeight;
}
