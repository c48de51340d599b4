/**
 * The evaluation monitor of `job run` and `job stop` (Nomad's
 * `command/monitor.go`): prints what changed about an evaluation and its
 * allocations until the evaluation finishes, follows `NextEval`, and reports
 * placement failures. Exit code 0 on success, 2 when allocations could not be
 * placed, 1 on errors.
 *
 * Nomad polls once a second; this monitor uses blocking queries on the
 * evaluation's index instead, so it reacts at once without busy polling.
 */

import type { NomadClient } from "../../api/mod.ts";
import type { AllocationListStub, Evaluation } from "../../structs/mod.ts";
import { formatGoDuration, formatTime, limit, quote } from "../format.ts";
import { errorMessage, formatAllocMetrics, sortedTaskGroups } from "../helpers.ts";
import type { CliIo } from "../io.ts";
import { PrefixedUi } from "../io.ts";
import { monitorDeployment } from "./deployment_monitor.ts";

/** Longest a single blocking query on the evaluation waits. */
export const EVAL_BLOCKING_WAIT_MS = 5_000;
/** Pause between polls when the server answered without new data (no blocking support). */
export const EVAL_MIN_POLL_INTERVAL_MS = 200;
/** Most evaluations followed through `NextEval` before giving up. */
export const MAX_FOLLOWED_EVALS = 100;

interface AllocState {
  id: string;
  group: string;
  node: string;
  desired: string;
  client: string;
  clientDescription: string;
  index: number;
}

interface EvalState {
  status: string;
  node: string;
  deployment: string;
  job: string;
  wait: number;
  index: number;
  allocs: Map<string, AllocState>;
}

function newEvalState(): EvalState {
  return {
    status: "pending",
    node: "",
    deployment: "",
    job: "",
    wait: 0,
    index: 0,
    allocs: new Map(),
  };
}

/** Watches one evaluation chain and narrates it. */
export class EvalMonitor {
  #ui: PrefixedUi;
  #io: CliIo;
  #client: NomadClient;
  #length: number;
  #state = newEvalState();
  readonly #followDeployment: boolean;

  /**
   * `length` is the ID display length (8, or 36 with -verbose). With
   * `followDeployment` (job run), the deployment the evaluation started is
   * followed to its end, as Nomad's monitor does.
   */
  constructor(
    io: CliIo,
    client: NomadClient,
    length: number,
    options: { followDeployment?: boolean } = {},
  ) {
    this.#followDeployment = options.followDeployment ?? false;
    this.#io = io;
    this.#ui = new PrefixedUi(io, { info: "==> ", output: "    " });
    this.#client = client;
    this.#length = length;
  }

  /** Monitors `evalId` (and its successors); returns the exit code. */
  async monitor(evalId: string): Promise<number> {
    let id = evalId;
    let schedFailure = false;
    for (let followed = 0; followed < MAX_FOLLOWED_EVALS; followed++) {
      const result = await this.#monitorOne(id);
      if (result.exitCode !== 0) return result.exitCode;
      schedFailure ||= result.schedFailure;
      if (result.next === "") break;
      id = result.next;
    }
    if (schedFailure) return 2;
    const deploymentID = this.#state.deployment;
    if (!this.#followDeployment || deploymentID === "") return 0;
    this.#ui.info(
      `${this.#now()}: Monitoring deployment ${quote(limit(deploymentID, this.#length))}`,
    );
    const status = await monitorDeployment(this.#io, this.#client, {
      id: deploymentID,
      length: this.#length,
    });
    return status === "successful" ? 0 : 1;
  }

  #now(): string {
    return formatTime(this.#io.now());
  }

  async #monitorOne(
    evalId: string,
  ): Promise<{ exitCode: number; schedFailure: boolean; next: string }> {
    this.#state = newEvalState();
    this.#ui.info(`${this.#now()}: Monitoring evaluation ${quote(limit(evalId, this.#length))}`);
    let index = 0;
    while (true) {
      let evaluation: Evaluation;
      let allocs: AllocationListStub[];
      try {
        const started = Date.now();
        const response = await this.#client.evaluations.info(evalId, queryFor(index));
        evaluation = response.data;
        if (response.index <= index && Date.now() - started < EVAL_MIN_POLL_INTERVAL_MS) {
          await sleep(EVAL_MIN_POLL_INTERVAL_MS);
        }
        index = Math.max(index, response.index);
      } catch {
        this.#ui.error(`No evaluation with id ${quote(evalId)} found`);
        return { exitCode: 1, schedFailure: false, next: "" };
      }
      try {
        allocs = (await this.#client.evaluations.allocations(evaluation.ID)).data;
      } catch (error) {
        this.#ui.error(`${this.#now()}: Error reading allocations: ${errorMessage(error)}`);
        return { exitCode: 1, schedFailure: false, next: "" };
      }
      this.#update(stateOf(evaluation, allocs));
      if (!isFinished(evaluation.Status)) continue;
      const schedFailure = this.#reportFinish(evaluation);
      if (evaluation.NextEval !== "" && evaluation.Wait > 0) {
        const wait = formatGoDuration(evaluation.Wait);
        this.#ui.info(
          `${this.#now()}: Monitoring next evaluation ${
            quote(limit(evaluation.NextEval, this.#length))
          } in ${wait}`,
        );
        await sleep(evaluation.Wait / 1e6);
      }
      return { exitCode: 0, schedFailure, next: evaluation.NextEval };
    }
  }

  /** Prints the final line(s); returns true when some allocations could not be placed. */
  #reportFinish(evaluation: Evaluation): boolean {
    const id = quote(limit(evaluation.ID, this.#length));
    const failed = evaluation.FailedTGAllocs ?? {};
    if (Object.keys(failed).length === 0) {
      this.#ui.info(
        `${this.#now()}: Evaluation ${id} finished with status ${quote(evaluation.Status)}`,
      );
      return false;
    }
    this.#ui.info(
      `${this.#now()}: Evaluation ${id} finished with status ${
        quote(evaluation.Status)
      } but failed to place all allocations:`,
    );
    for (const group of sortedTaskGroups(failed)) {
      const metric = failed[group];
      if (metric === undefined) continue;
      const count = metric.CoalescedFailures + 1;
      const noun = metric.CoalescedFailures > 0 ? "allocations" : "allocation";
      this.#ui.output(
        `${this.#now()}: Task Group ${quote(group)} (failed to place ${count} ${noun}):`,
      );
      for (const line of formatAllocMetrics(metric, false, "  ").split("\n")) this.#ui.output(line);
    }
    if (evaluation.BlockedEval !== "") {
      this.#ui.output(
        `${this.#now()}: Evaluation ${
          quote(limit(evaluation.BlockedEval, this.#length))
        } waiting for additional capacity to place remainder`,
      );
    }
    return true;
  }

  /** Prints what changed between the previous and the new state. */
  #update(next: EvalState): void {
    const previous = this.#state;
    const now = this.#now();
    const short = (id: string) => quote(limit(id, this.#length));
    if (previous.node === "" && next.node !== "") {
      this.#ui.output(`${now}: Evaluation triggered by node ${short(next.node)}`);
    }
    if (previous.job === "" && next.job !== "") {
      this.#ui.output(`${now}: Evaluation triggered by job ${quote(next.job)}`);
    }
    if (previous.deployment === "" && next.deployment !== "") {
      this.#ui.output(`${now}: Evaluation within deployment: ${short(next.deployment)}`);
    }
    for (const alloc of next.allocs.values()) {
      const before = previous.allocs.get(alloc.id);
      if (before === undefined) {
        if (alloc.index < next.index) {
          this.#ui.output(
            `${now}: Allocation ${short(alloc.id)} modified: node ${short(alloc.node)}, group ${
              quote(alloc.group)
            }`,
          );
        } else if (alloc.desired === "run") {
          this.#ui.output(
            `${now}: Allocation ${short(alloc.id)} created: node ${short(alloc.node)}, group ${
              quote(alloc.group)
            }`,
          );
        }
      } else if (before.client !== alloc.client) {
        const description = alloc.clientDescription !== "" ? ` (${alloc.clientDescription})` : "";
        this.#ui.output(
          `${now}: Allocation ${short(alloc.id)} status changed: ${quote(before.client)} -> ${
            quote(alloc.client)
          }${description}`,
        );
      }
    }
    if (previous.status !== "" && next.status !== "pending" && previous.status !== next.status) {
      this.#ui.output(
        `${now}: Evaluation status changed: ${quote(previous.status)} -> ${quote(next.status)}`,
      );
    }
    this.#state = next;
  }
}

function stateOf(evaluation: Evaluation, allocs: readonly AllocationListStub[]): EvalState {
  const state: EvalState = {
    status: evaluation.Status,
    node: evaluation.NodeID,
    deployment: evaluation.DeploymentID,
    job: evaluation.JobID,
    wait: evaluation.Wait,
    index: evaluation.CreateIndex,
    allocs: new Map(),
  };
  const ordered = [...allocs].sort((a, b) =>
    a.CreateIndex - b.CreateIndex || (a.ID < b.ID ? -1 : 1)
  );
  for (const alloc of ordered) {
    state.allocs.set(alloc.ID, {
      id: alloc.ID,
      group: alloc.TaskGroup,
      node: alloc.NodeID,
      desired: alloc.DesiredStatus,
      client: alloc.ClientStatus,
      clientDescription: alloc.ClientDescription,
      index: alloc.CreateIndex,
    });
  }
  return state;
}

function isFinished(status: string): boolean {
  return status === "complete" || status === "failed" || status === "canceled" ||
    status === "cancelled";
}

function queryFor(index: number): { index?: number; waitMs?: number } {
  return index > 0 ? { index, waitMs: EVAL_BLOCKING_WAIT_MS } : {};
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
