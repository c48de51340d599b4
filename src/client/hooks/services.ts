/**
 * Native service registration for one allocation: registers the group's and
 * each task's `provider = "nomad"` services with the servers while they run,
 * runs their checks, keeps the latest results (served by
 * `/v1/client/allocation/:id/checks` and read by deployment health), and asks
 * for a task restart when `check_restart` says so.
 */

import { md5Hex } from "../../core/md5.ts";
import type { Logger } from "../../core/logger.ts";
import {
  type Allocation,
  newTaskEvent,
  type Node,
  type Service,
  type ServiceCheck,
  type ServiceRegistration,
  type TaskEvent,
} from "../../structs/mod.ts";
import {
  type CheckExec,
  type CheckOutcome,
  type CheckRestartState,
  checkRestartUpdate,
  type CheckStatus,
  httpCheck,
  scriptCheck,
  tcpCheck,
} from "../checks.ts";
import type { ServerApi } from "../server_api.ts";
import { interpolate } from "../task_env.ts";
import type { TaskHook, TaskHookContext } from "./mod.ts";
import type { TaskHandle } from "../../../drivers/driver.ts";
import {
  buildRegistration,
  checkAddress,
  groupEnv,
  groupOwner,
  nomadServices,
} from "./services_build.ts";

/** One check's latest result (Nomad's CheckQueryResult). */
export interface CheckQueryResult {
  ID: string;
  Mode: "healthiness" | "readiness";
  Status: CheckStatus;
  StatusCode?: number;
  Output: string;
  /** Unix seconds. */
  Timestamp: number;
  Group: string;
  Task: string;
  Service: string;
  Check: string;
}

/** The server calls registration needs. */
export type ServiceServerApi = Pick<
  ServerApi,
  "upsertServiceRegistrations" | "deleteServiceRegistration"
>;

/** What an allocation's service manager needs. */
export interface AllocServicesOptions {
  alloc: Allocation;
  node: Node;
  server: ServiceServerApi;
  logger: Logger;
  nowNs: () => number;
  /** Restarts a task (check_restart); the event is recorded first. */
  restartTask: (taskName: string, event: TaskEvent) => void;
  /** Called whenever a check result changes. */
  onChecksChange: () => void;
}

/** What a task brings when its services register. */
export interface TaskServiceContext {
  taskName: string;
  services: readonly Service[] | null;
  env: Record<string, string>;
  /** Runs a command in the task (script checks). */
  exec: CheckExec;
  /** When the task last started (check_restart grace). */
  startedNs: number;
}

interface Owned {
  registrations: ServiceRegistration[];
  stop: AbortController;
}

/** Nomad's ID of a check: md5 over its coordinates. */
function checkID(allocID: string, group: string, taskName: string, check: ServiceCheck): string {
  return md5Hex(
    ...[
      allocID,
      group,
      taskName,
      check.Name,
      check.Type,
      check.PortLabel,
      check.OnUpdate,
      check.AddressMode ?? "",
      String(check.Interval),
      String(check.Timeout),
      check.Protocol,
      check.Path,
      check.Method,
      String(check.TLSSkipVerify),
    ],
  );
}

function initialStatus(check: ServiceCheck): { status: CheckStatus; output: string } {
  switch (check.InitialStatus) {
    case "passing":
      return { status: "success", output: "nomad: initial status passing" };
    case "warning":
    case "critical":
      return { status: "failure", output: `nomad: initial status ${check.InitialStatus}` };
    default:
      return { status: "pending", output: "nomad: waiting to run" };
  }
}

/** Resolves after `ms` or when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Registers and checks the native services of one allocation. */
export class AllocServices {
  #alloc: Allocation;
  readonly #options: AllocServicesOptions;
  /** Registered owners: task names and `group-<name>`. */
  readonly #owned = new Map<string, Owned>();
  readonly #results = new Map<string, CheckQueryResult>();

  /** Creates the manager; nothing registers until asked. */
  constructor(options: AllocServicesOptions) {
    this.#options = options;
    this.#alloc = options.alloc;
  }

  /** Takes a newer version of the allocation (canary tags follow it on the next registration). */
  update(alloc: Allocation): void {
    this.#alloc = alloc;
  }

  /** The latest result of every check, by check ID. */
  checkResults(): Record<string, CheckQueryResult> {
    return Object.fromEntries([...this.#results].map(([id, r]) => [id, { ...r }]));
  }

  /** Number of checks deployment health waits for (on_update other than "ignore"). */
  healthinessCheckCount(): number {
    const group = this.#group();
    const services = [
      ...nomadServices(group?.Services ?? null),
      ...(group?.Tasks ?? []).flatMap((t) => nomadServices(t.Services)),
    ];
    return services.flatMap((s) => s.Checks ?? []).filter((c) => c.OnUpdate !== "ignore").length;
  }

  /** True when every healthiness check has run and passes (deployment health, `"checks"`). */
  checksPassing(): boolean {
    const healthiness = [...this.#results.values()].filter((r) => r.Mode === "healthiness");
    return healthiness.length >= this.healthinessCheckCount() &&
      healthiness.every((r) => r.Status === "success");
  }

  #group() {
    return this.#alloc.Job?.TaskGroups.find((g) => g.Name === this.#alloc.TaskGroup);
  }

  /** Registers the group's services (once, while the allocation runs). */
  async registerGroup(): Promise<void> {
    const group = this.#group();
    const owner = groupOwner(this.#alloc.TaskGroup);
    if (group === undefined || this.#owned.has(owner)) return;
    await this.#register(owner, nomadServices(group.Services), {
      taskName: "",
      services: group.Services,
      env: groupEnv(this.#alloc, this.#options.node),
      exec: () => Promise.reject(new Error("script checks of group services need a task")),
      startedNs: this.#options.nowNs(),
    });
  }

  /** Registers a task's services and starts their checks (the task is running). */
  async registerTask(task: TaskServiceContext): Promise<void> {
    await this.deregister(task.taskName);
    await this.#register(task.taskName, nomadServices(task.services), task);
  }

  async #register(owner: string, services: readonly Service[], task: TaskServiceContext) {
    if (services.length === 0) return;
    const registrations: ServiceRegistration[] = [];
    for (const service of services) {
      const built = buildRegistration({
        alloc: this.#alloc,
        node: this.#options.node,
        owner,
        env: task.env,
      }, service);
      if ("error" in built) {
        this.#options.logger.warn("failed to register service", { error: built.error });
        continue;
      }
      registrations.push(built.registration);
    }
    const owned: Owned = { registrations, stop: new AbortController() };
    this.#owned.set(owner, owned);
    if (registrations.length > 0) {
      try {
        await this.#options.server.upsertServiceRegistrations(registrations);
      } catch (error) {
        this.#options.logger.warn("failed to register services", { error: String(error) });
      }
    }
    for (const service of services) {
      const name = interpolate(service.Name, task.env);
      for (const check of service.Checks ?? []) {
        void this.#runCheck({ owner, task, service, name, check, signal: owned.stop.signal });
      }
    }
  }

  /** Stops the owner's checks and removes its registrations (task name or the group's owner). */
  async deregister(owner: string): Promise<void> {
    const owned = this.#owned.get(owner);
    if (owned === undefined) return;
    this.#owned.delete(owner);
    owned.stop.abort();
    for (const registration of owned.registrations) {
      try {
        await this.#options.server.deleteServiceRegistration(
          registration.Namespace,
          registration.ID,
        );
      } catch (error) {
        this.#options.logger.warn("failed to deregister service", {
          service_id: registration.ID,
          error: String(error),
        });
      }
    }
  }

  /** Removes the group's registrations. */
  deregisterGroup(): Promise<void> {
    return this.deregister(groupOwner(this.#alloc.TaskGroup));
  }

  /** Removes everything this allocation registered. */
  async deregisterAll(): Promise<void> {
    for (const owner of [...this.#owned.keys()]) await this.deregister(owner);
  }

  async #runCheck(run: {
    owner: string;
    task: TaskServiceContext;
    service: Service;
    name: string;
    check: ServiceCheck;
    signal: AbortSignal;
  }): Promise<void> {
    const { task, check, signal } = run;
    const id = checkID(this.#alloc.ID, this.#alloc.Name, task.taskName, check);
    const initial = initialStatus(check);
    this.#record(id, run, initial);
    let restart: CheckRestartState = { unhealthySinceNs: null };
    const policy = check.CheckRestart ?? null;
    while (!signal.aborted) {
      const outcome = await this.#attempt(run);
      if (signal.aborted) break;
      this.#record(id, run, outcome);
      if (policy !== null && policy.Limit > 0 && task.taskName !== "") {
        const next = checkRestartUpdate(restart, {
          outcome,
          policy: {
            limit: policy.Limit,
            graceNs: policy.Grace,
            intervalNs: check.Interval,
            ignoreWarnings: policy.IgnoreWarnings,
          },
          lastStartNs: task.startedNs,
          nowNs: this.#options.nowNs(),
        });
        restart = next.state;
        if (next.restart) {
          const reason = `healthcheck: check ${JSON.stringify(check.Name)} unhealthy`;
          this.#options.restartTask(
            task.taskName,
            newTaskEvent("Restart Signaled", this.#options.nowNs(), {
              RestartReason: reason,
              DisplayMessage: reason,
            }),
          );
          return;
        }
      }
      await sleep(Math.max(1, check.Interval / 1e6), signal);
    }
  }

  #attempt(run: { task: TaskServiceContext; service: Service; check: ServiceCheck }) {
    const { check, service, task } = run;
    const timeoutMs = check.Timeout / 1e6;
    if (check.Type === "script") {
      return scriptCheck({
        command: check.Command,
        args: check.Args ?? [],
        timeoutMs,
        exec: task.exec,
      });
    }
    const target = checkAddress(check, {
      Address: service.Address,
      PortLabel: service.PortLabel,
    }, this.#alloc);
    if ("error" in target) {
      return Promise.resolve<CheckOutcome>({ status: "failure", output: target.error });
    }
    const address = target.address || "127.0.0.1";
    if (check.Type === "http") {
      return httpCheck({
        protocol: check.Protocol || "http",
        address,
        port: target.port,
        path: check.Path,
        method: check.Method,
        headers: check.Header,
        body: check.Body,
        timeoutMs,
      });
    }
    return tcpCheck({ address, port: target.port, timeoutMs });
  }

  #record(
    id: string,
    run: { task: TaskServiceContext; name: string; check: ServiceCheck },
    outcome: { status: CheckStatus; output: string; statusCode?: number },
  ): void {
    const result: CheckQueryResult = {
      ID: id,
      Mode: run.check.OnUpdate === "ignore" ? "readiness" : "healthiness",
      Status: outcome.status,
      ...(outcome.statusCode === undefined ? {} : { StatusCode: outcome.statusCode }),
      Output: outcome.output,
      Timestamp: Math.floor(this.#options.nowNs() / 1e9),
      Group: this.#alloc.Name,
      Task: run.task.taskName,
      Service: run.name,
      Check: run.check.Name,
    };
    const previous = this.#results.get(id);
    this.#results.set(id, result);
    if (previous?.Status !== result.Status) this.#options.onChecksChange();
  }
}

/**
 * The task hook: registers the task's services once it runs, deregisters them
 * when it exits or is being stopped (before `shutdown_delay`, as Nomad).
 */
export function servicesHook(
  services: AllocServices,
  exec: (taskId: string) => CheckExec,
): TaskHook {
  const register = async (ctx: TaskHookContext, handle: TaskHandle) => {
    await services.registerTask({
      taskName: ctx.task.Name,
      services: ctx.task.Services,
      env: ctx.env,
      exec: exec(handle.taskId),
      startedNs: ctx.nowNs(),
    });
  };
  return {
    name: "nomad_services",
    poststart: register,
    // A reattached task registers again and its checks run again.
    recover: register,
    exited: (ctx) => services.deregister(ctx.task.Name),
    stop: (ctx) => services.deregister(ctx.task.Name),
  };
}
