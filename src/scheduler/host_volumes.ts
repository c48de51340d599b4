/**
 * Host volumes: a group's `volume "x" { type = "host", source = "..." }`
 * needs a node that exposes a host volume of that name, writable unless the
 * request is read-only (Nomad's HostVolumeChecker for static host volumes).
 */

import type { Node, TaskGroup, VolumeRequest } from "../structs/mod.ts";

/** Nomad's `ConstraintFiltered` key for a node without a requested host volume. */
export const FILTER_MISSING_HOST_VOLUMES = "missing compatible host volumes";

/** The group's host volume requests (CSI volumes are someone else's check). */
export function hostVolumeRequests(tg: TaskGroup): VolumeRequest[] {
  return Object.values(tg.Volumes ?? {}).filter((v) => v.Type === "host");
}

/**
 * True when the node can mount every host volume the group asks for: the
 * source exists in the node's `HostVolumes`, and a read-write request does not
 * land on a read-only volume.
 *
 * @example
 * ```ts
 * import { nodeHasHostVolumes } from "./host_volumes.ts";
 * // nodeHasHostVolumes(node, group) → false when node.HostVolumes lacks the source
 * ```
 */
export function nodeHasHostVolumes(node: Pick<Node, "HostVolumes">, tg: TaskGroup): boolean {
  for (const request of hostVolumeRequests(tg)) {
    const volumes = node.HostVolumes ?? {};
    const volume = Object.hasOwn(volumes, request.Source) ? volumes[request.Source] : undefined;
    if (volume === undefined) return false;
    if (!request.ReadOnly && volume.ReadOnly) return false;
  }
  return true;
}
