/**
 * A one-voter raft: the interface the consensus issue will put a real raft cluster
 * behind. Every write is appended durably to the log, then applied by the FSM.
 */

import type { ApplyResult, Fsm, LogEntry } from "../fsm/mod.ts";
import type { LogStore } from "../storage/mod.ts";

/** What the server needs from consensus. */
export interface Raft {
  /** Commits `entry` and applies it; resolves after it is durable and applied. */
  apply(entry: LogEntry): Promise<ApplyResult>;
  /** True on the leader. */
  isLeader(): boolean;
  /** RPC address of the leader ("" when unknown). */
  leaderAddress(): string;
  /** Addresses of the voters. */
  peers(): string[];
  /** Index of the last log entry. */
  lastIndex(): number;
}

/** A single-voter raft over a {@linkcode LogStore}. */
export class SingleVoterRaft implements Raft {
  readonly #log: LogStore;
  readonly #fsm: Fsm;
  readonly #address: string;
  #listeners: ((result: ApplyResult) => void)[] = [];

  /** Wires the log, the FSM and this server's RPC address. */
  constructor(options: { log: LogStore; fsm: Fsm; address: string }) {
    this.#log = options.log;
    this.#fsm = options.fsm;
    this.#address = options.address;
  }

  /** Replays the stored log into the FSM (agent restart). Returns entries replayed. */
  restore(): number {
    let count = 0;
    for (const stored of this.#log.entries(1)) {
      this.#fsm.apply(stored.index, JSON.parse(stored.data) as LogEntry);
      count++;
    }
    return count;
  }

  /** Calls `listener` after every applied entry (the server routes evaluations from here). */
  onApply(listener: (result: ApplyResult) => void): void {
    this.#listeners.push(listener);
  }

  /** Appends and applies one entry. */
  apply(entry: LogEntry): Promise<ApplyResult> {
    try {
      const index = this.#log.lastIndex + 1;
      this.#log.append([{ index, term: 1, type: entry.Type, data: JSON.stringify(entry) }]);
      const result = this.#fsm.apply(index, entry);
      for (const listener of this.#listeners) listener(result);
      return Promise.resolve(result);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Always the leader: it is the only voter. */
  isLeader(): boolean {
    return true;
  }

  /** This server's RPC address. */
  leaderAddress(): string {
    return this.#address;
  }

  /** Only this server. */
  peers(): string[] {
    return [this.#address];
  }

  /** Last log index. */
  lastIndex(): number {
    return this.#log.lastIndex;
  }
}
