/** Applies variable writes: set, check-and-set, delete and check-and-delete. */

import { deepFreeze, type Variable } from "../structs/mod.ts";
import { nsKey, type Txn } from "../state/mod.ts";
import type { VarApplyEntry } from "./messages.ts";

/** What a variable write came to. */
export interface VarApplyResult {
  /** The stored variable after a set; null after a delete or a conflict. */
  stored: Variable | null;
  /** On a check-and-set mismatch: the current variable (zero indexes when there is none). */
  conflict: Variable | null;
}

/** Writes the variable, unless a check-and-set index does not match the stored one. */
export function applyVariable(txn: Txn, entry: VarApplyEntry): VarApplyResult {
  const { Namespace, Path } = entry.Var;
  const key = nsKey(Namespace, Path);
  const existing = txn.read("variables").get(key);
  if (entry.Op === "cas" || entry.Op === "delete-cas") {
    if ((existing?.ModifyIndex ?? 0) !== entry.Var.ModifyIndex) {
      return {
        stored: null,
        conflict: existing ?? {
          Namespace,
          Path,
          CreateIndex: 0,
          ModifyIndex: 0,
          CreateTime: 0,
          ModifyTime: 0,
          Items: null,
        },
      };
    }
  }
  if (entry.Op === "delete" || entry.Op === "delete-cas") {
    if (existing !== undefined) txn.write("variables").delete(key);
    return { stored: null, conflict: null };
  }
  const stored = deepFreeze({
    Namespace,
    Path,
    CreateIndex: existing?.CreateIndex ?? txn.index,
    ModifyIndex: txn.index,
    CreateTime: existing?.CreateTime ?? entry.NowNs,
    ModifyTime: entry.NowNs,
    Items: { ...entry.Var.Items },
  });
  txn.write("variables").set(key, stored);
  return { stored, conflict: null };
}
