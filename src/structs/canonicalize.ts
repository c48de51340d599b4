/**
 * Turns a job as submitted (API JSON, possibly partial, keys in any case) into
 * a complete {@linkcode Job} with Nomad's defaults applied.
 */

import { NS_PER_HOUR, NS_PER_MINUTE, NS_PER_SECOND } from "../core/clock.ts";
import { CodedError } from "../core/errors.ts";
import {
  arr,
  bool,
  field,
  int,
  intOrNull,
  isObject,
  type JsonObject,
  obj,
  objects,
  str,
  stringMap,
  strings,
} from "./decode.ts";
import type {
  Affinity,
  CheckRestart,
  Constraint,
  DisconnectStrategy,
  EphemeralDisk,
  Job,
  JobType,
  LogConfig,
  MigrateStrategy,
  NetworkResource,
  Port,
  ReschedulePolicy,
  Resources,
  RestartPolicy,
  ScalingPolicy,
  Service,
  ServiceCheck,
  Spread,
  Task,
  TaskGroup,
  UpdateStrategy,
} from "./job.ts";

/** Restart policy defaults by job type (api/tasks.go). */
export function defaultRestartPolicy(type: string): RestartPolicy {
  const batchLike = type === "batch" || type === "sysbatch";
  return {
    Attempts: batchLike ? 3 : 2,
    Interval: batchLike ? 24 * NS_PER_HOUR : 30 * NS_PER_MINUTE,
    Delay: 15 * NS_PER_SECOND,
    Mode: "fail",
    RenderTemplates: false,
  };
}

/** Reschedule policy defaults by job type; system jobs are never rescheduled. */
export function defaultReschedulePolicy(type: string): ReschedulePolicy | null {
  if (type === "service") {
    return {
      Attempts: 0,
      Interval: 0,
      Delay: 30 * NS_PER_SECOND,
      DelayFunction: "exponential",
      MaxDelay: NS_PER_HOUR,
      Unlimited: true,
    };
  }
  if (type === "batch") {
    return {
      Attempts: 1,
      Interval: 24 * NS_PER_HOUR,
      Delay: 5 * NS_PER_SECOND,
      DelayFunction: "constant",
      MaxDelay: 0,
      Unlimited: false,
    };
  }
  return null;
}

/** Update strategy defaults for service and system jobs. */
export function defaultUpdateStrategy(): UpdateStrategy {
  return {
    Stagger: 30 * NS_PER_SECOND,
    MaxParallel: 1,
    HealthCheck: "checks",
    MinHealthyTime: 10 * NS_PER_SECOND,
    HealthyDeadline: 5 * NS_PER_MINUTE,
    ProgressDeadline: 10 * NS_PER_MINUTE,
    Canary: 0,
    AutoRevert: false,
    AutoPromote: false,
  };
}

function zeroUpdateStrategy(): UpdateStrategy {
  return {
    Stagger: 0,
    MaxParallel: 0,
    HealthCheck: "",
    MinHealthyTime: 0,
    HealthyDeadline: 0,
    ProgressDeadline: 0,
    Canary: 0,
    AutoRevert: false,
    AutoPromote: false,
  };
}

/**
 * Applies Nomad's defaults to a submitted job.
 *
 * @example
 * ```ts
 * import { canonicalizeJob } from "./canonicalize.ts";
 * const job = canonicalizeJob({ ID: "web", TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "raw_exec" }] }] });
 * job.Priority; // 50
 * ```
 */
export function canonicalizeJob(input: unknown): Job {
  if (!isObject(input)) throw new CodedError(400, "job must be a JSON object");
  const p = "Job";
  const id = str(input, "ID", p);
  const type = str(input, "Type", p, "service") as JobType;
  const jobUpdate = obj(input, "Update", p);
  const update = type === "service" || type === "system"
    ? updateStrategy(jobUpdate, defaultUpdateStrategy(), `${p}.Update`)
    : jobUpdate === null
    ? zeroUpdateStrategy()
    : updateStrategy(jobUpdate, zeroUpdateStrategy(), `${p}.Update`);
  const datacenters = strings(input, "Datacenters", p);
  // A job-level reschedule block is the base every group's policy merges over.
  const jobReschedule = reschedulePolicy(
    obj(input, "Reschedule", p),
    defaultReschedulePolicy(type),
    `${p}.Reschedule`,
  );
  const groups = (objects(input, "TaskGroups", p) ?? []).map((g) =>
    taskGroup(g, {
      type,
      jobUpdate: jobUpdate === null ? null : update,
      jobReschedule,
      path: `${p}.TaskGroups`,
      target: { Namespace: str(input, "Namespace", p, "default"), Job: id },
    })
  );
  return {
    Region: str(input, "Region", p, "global"),
    Namespace: str(input, "Namespace", p, "default"),
    ID: id,
    ParentID: str(input, "ParentID", p),
    Name: str(input, "Name", p, id),
    Type: type,
    Priority: int(input, "Priority", p, 50),
    AllAtOnce: bool(input, "AllAtOnce", p),
    Datacenters: datacenters === null || datacenters.length === 0 ? ["*"] : datacenters,
    NodePool: str(input, "NodePool", p, "default"),
    Constraints: constraints(input, `${p}.Constraints`),
    Affinities: affinities(input, `${p}.Affinities`),
    Spreads: spreads(input, `${p}.Spreads`),
    TaskGroups: groups,
    Update: update,
    Periodic: periodic(obj(input, "Periodic", p)),
    ParameterizedJob: parameterized(obj(input, "ParameterizedJob", p)),
    Dispatched: bool(input, "Dispatched", p),
    DispatchIdempotencyToken: str(input, "DispatchIdempotencyToken", p),
    Payload: (field(input, "Payload") as string | null | undefined) ?? null,
    Meta: stringMap(input, "Meta", p),
    Stop: bool(input, "Stop", p),
    Status: "pending",
    StatusDescription: "",
    Stable: bool(input, "Stable", p),
    Version: int(input, "Version", p, 0),
    SubmitTime: int(input, "SubmitTime", p, 0),
    CreateIndex: 0,
    ModifyIndex: 0,
    JobModifyIndex: 0,
  };
}

function updateStrategy(input: JsonObject | null, base: UpdateStrategy, p: string): UpdateStrategy {
  if (input === null) return base;
  return {
    Stagger: int(input, "Stagger", p, base.Stagger),
    MaxParallel: int(input, "MaxParallel", p, base.MaxParallel),
    HealthCheck: str(input, "HealthCheck", p, base.HealthCheck) as UpdateStrategy["HealthCheck"],
    MinHealthyTime: int(input, "MinHealthyTime", p, base.MinHealthyTime),
    HealthyDeadline: int(input, "HealthyDeadline", p, base.HealthyDeadline),
    ProgressDeadline: int(input, "ProgressDeadline", p, base.ProgressDeadline),
    Canary: int(input, "Canary", p, base.Canary),
    AutoRevert: bool(input, "AutoRevert", p, base.AutoRevert),
    AutoPromote: bool(input, "AutoPromote", p, base.AutoPromote),
  };
}

function restartPolicy(input: JsonObject | null, base: RestartPolicy, p: string): RestartPolicy {
  if (input === null) return base;
  return {
    Attempts: int(input, "Attempts", p, base.Attempts),
    Interval: int(input, "Interval", p, base.Interval),
    Delay: int(input, "Delay", p, base.Delay),
    Mode: str(input, "Mode", p, base.Mode) as RestartPolicy["Mode"],
    RenderTemplates: bool(input, "RenderTemplates", p, base.RenderTemplates),
  };
}

function reschedulePolicy(input: JsonObject | null, base: ReschedulePolicy | null, p: string) {
  if (input === null) return base;
  const b: ReschedulePolicy = base ?? {
    Attempts: 0,
    Interval: 0,
    Delay: 0,
    DelayFunction: "",
    MaxDelay: 0,
    Unlimited: false,
  };
  return {
    Attempts: int(input, "Attempts", p, b.Attempts),
    Interval: int(input, "Interval", p, b.Interval),
    Delay: int(input, "Delay", p, b.Delay),
    DelayFunction: str(
      input,
      "DelayFunction",
      p,
      b.DelayFunction,
    ) as ReschedulePolicy["DelayFunction"],
    MaxDelay: int(input, "MaxDelay", p, b.MaxDelay),
    Unlimited: bool(input, "Unlimited", p, b.Unlimited),
  };
}

function taskGroup(
  g: JsonObject,
  options: {
    type: string;
    jobUpdate: UpdateStrategy | null;
    jobReschedule: ReschedulePolicy | null;
    path: string;
    /** Namespace and job the group's scaling policy targets. */
    target?: { Namespace: string; Job: string };
  },
): TaskGroup {
  const p = options.path;
  const { type } = options;
  const restart = restartPolicy(
    obj(g, "RestartPolicy", p),
    defaultRestartPolicy(type),
    `${p}.RestartPolicy`,
  );
  const groupUpdate = obj(g, "Update", p);
  let update: UpdateStrategy | null = null;
  if (type === "service" || type === "system") {
    update = updateStrategy(
      groupUpdate,
      options.jobUpdate ?? defaultUpdateStrategy(),
      `${p}.Update`,
    );
  }
  const scaling = obj(g, "Scaling", p);
  const scalingMin = scaling === null ? null : intOrNull(scaling, "Min", `${p}.Scaling`);
  const name = str(g, "Name", p);
  const count = int(g, "Count", p, scalingMin ?? 1);
  return {
    Name: name,
    Count: count,
    Constraints: constraints(g, `${p}.Constraints`),
    Affinities: affinities(g, `${p}.Affinities`),
    Spreads: spreads(g, `${p}.Spreads`),
    Tasks: (objects(g, "Tasks", p) ?? []).map((t) => task(t, { restart, path: `${p}.Tasks` })),
    RestartPolicy: restart,
    ReschedulePolicy: reschedulePolicy(
      obj(g, "ReschedulePolicy", p),
      options.jobReschedule,
      `${p}.ReschedulePolicy`,
    ),
    EphemeralDisk: ephemeralDisk(obj(g, "EphemeralDisk", p), `${p}.EphemeralDisk`),
    Update: update,
    Migrate: type === "service" ? migrate(obj(g, "Migrate", p), `${p}.Migrate`) : null,
    Networks: networks(g, `${p}.Networks`),
    Services: services(g, `${p}.Services`),
    Volumes: (obj(g, "Volumes", p) as TaskGroup["Volumes"]) ?? null,
    Meta: stringMap(g, "Meta", p),
    ShutdownDelay: intOrNull(g, "ShutdownDelay", p),
    StopAfterClientDisconnect: intOrNull(g, "StopAfterClientDisconnect", p),
    MaxClientDisconnect: intOrNull(g, "MaxClientDisconnect", p),
    PreventRescheduleOnLost: bool(g, "PreventRescheduleOnLost", p),
    Disconnect: disconnectStrategy(obj(g, "Disconnect", p), `${p}.Disconnect`),
    Scaling: scaling === null ? null : scalingPolicy(scaling, {
      count,
      path: `${p}.Scaling`,
      target: options.target === undefined ? null : { ...options.target, Group: name },
    }),
  };
}

/** Nomad's DisconnectStrategy.Canonicalize: replace defaults to true, reconcile to best_score. */
function disconnectStrategy(input: JsonObject | null, p: string): DisconnectStrategy | null {
  if (input === null) return null;
  const replace = field(input, "Replace");
  return {
    LostAfter: int(input, "LostAfter", p, 0),
    StopOnClientAfter: intOrNull(input, "StopOnClientAfter", p),
    Replace: replace === undefined || replace === null ? true : bool(input, "Replace", p),
    Reconcile: str(input, "Reconcile", p, "best_score"),
  };
}

/**
 * Nomad's ApiScalingPolicyToStructs: enabled by default, min defaults to the
 * group's count, a missing max becomes -1 (validation reports it).
 */
function scalingPolicy(
  input: JsonObject,
  options: { count: number; path: string; target: Record<string, string> | null },
): ScalingPolicy {
  const p = options.path;
  return {
    ID: str(input, "ID", p),
    Type: str(input, "Type", p, "horizontal"),
    Target: options.target,
    Policy: obj(input, "Policy", p),
    Min: int(input, "Min", p, options.count),
    Max: int(input, "Max", p, -1),
    Enabled: bool(input, "Enabled", p, true),
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}

function ephemeralDisk(input: JsonObject | null, p: string): EphemeralDisk {
  return {
    Sticky: input === null ? false : bool(input, "Sticky", p),
    SizeMB: input === null ? 300 : int(input, "SizeMB", p, 300),
    Migrate: input === null ? false : bool(input, "Migrate", p),
  };
}

function migrate(input: JsonObject | null, p: string): MigrateStrategy {
  const i = input ?? {};
  return {
    MaxParallel: int(i, "MaxParallel", p, 1),
    HealthCheck: str(i, "HealthCheck", p, "checks"),
    MinHealthyTime: int(i, "MinHealthyTime", p, 10 * NS_PER_SECOND),
    HealthyDeadline: int(i, "HealthyDeadline", p, 5 * NS_PER_MINUTE),
  };
}

/** Nomad's TaskArtifact.Canonicalize: mode "any", destination local/ (local/<file> in file mode). */
function artifacts(t: JsonObject, p: string): Task["Artifacts"] {
  const list = arr(t, "Artifacts", p);
  if (list === null) return null;
  return list.map((item, i) => {
    const a = (item ?? {}) as JsonObject;
    const source = str(a, "GetterSource", `${p}[${i}]`);
    const mode = str(a, "GetterMode", `${p}[${i}]`, "any");
    const options = stringMap(a, "GetterOptions", `${p}[${i}]`);
    const headers = stringMap(a, "GetterHeaders", `${p}[${i}]`);
    // Go's path.Base of the whole source, query included (as Nomad).
    const base = source.replace(/\/+$/, "").split("/").pop() || ".";
    return {
      GetterSource: source,
      GetterOptions: options === null || Object.keys(options).length === 0 ? null : options,
      GetterHeaders: headers === null || Object.keys(headers).length === 0 ? null : headers,
      GetterMode: mode,
      RelativeDest: a.RelativeDest === undefined || a.RelativeDest === null
        ? (mode === "file" ? `local/${base}` : "local/")
        : str(a, "RelativeDest", `${p}[${i}]`),
    };
  });
}

function task(t: JsonObject, options: { restart: RestartPolicy; path: string }): Task {
  const p = options.path;
  const logs = obj(t, "LogConfig", p);
  const lifecycle = obj(t, "Lifecycle", p);
  const config = obj(t, "Config", p);
  const dispatchPayload = obj(t, "DispatchPayload", p);
  return {
    Name: str(t, "Name", p),
    Driver: str(t, "Driver", p),
    User: str(t, "User", p),
    Config: config,
    Constraints: constraints(t, `${p}.Constraints`),
    Affinities: affinities(t, `${p}.Affinities`),
    Env: stringMap(t, "Env", p),
    Services: services(t, `${p}.Services`),
    Resources: resources(obj(t, "Resources", p), `${p}.Resources`),
    RestartPolicy: restartPolicy(obj(t, "RestartPolicy", p), options.restart, `${p}.RestartPolicy`),
    Meta: stringMap(t, "Meta", p),
    KillTimeout: int(t, "KillTimeout", p, 5 * NS_PER_SECOND),
    LogConfig: logConfig(logs, `${p}.LogConfig`),
    Artifacts: artifacts(t, `${p}.Artifacts`),
    Templates: (arr(t, "Templates", p) as Task["Templates"]) ?? null,
    VolumeMounts: (arr(t, "VolumeMounts", p) as Task["VolumeMounts"]) ?? null,
    Leader: bool(t, "Leader", p),
    ShutdownDelay: int(t, "ShutdownDelay", p, 0),
    KillSignal: str(t, "KillSignal", p),
    Kind: str(t, "Kind", p),
    Lifecycle: lifecycle === null ? null : {
      Hook: str(lifecycle, "Hook", `${p}.Lifecycle`),
      Sidecar: bool(lifecycle, "Sidecar", `${p}.Lifecycle`),
    },
    DispatchPayload: dispatchPayload === null
      ? null
      : { File: str(dispatchPayload, "File", `${p}.DispatchPayload`) },
  };
}

function logConfig(input: JsonObject | null, p: string): LogConfig {
  const i = input ?? {};
  return {
    MaxFiles: int(i, "MaxFiles", p, 10),
    MaxFileSizeMB: int(i, "MaxFileSizeMB", p, 10),
    Disabled: bool(i, "Disabled", p),
  };
}

function resources(input: JsonObject | null, p: string): Resources {
  const i = input ?? {};
  return {
    CPU: int(i, "CPU", p, 100),
    Cores: int(i, "Cores", p, 0),
    MemoryMB: int(i, "MemoryMB", p, 300),
    MemoryMaxMB: int(i, "MemoryMaxMB", p, 0),
    DiskMB: int(i, "DiskMB", p, 0),
    IOPS: int(i, "IOPS", p, 0),
    Networks: networks(i, `${p}.Networks`),
    Devices: (arr(i, "Devices", p) as Resources["Devices"]) ?? null,
  };
}

function ports(input: JsonObject, name: string, p: string): Port[] | null {
  const list = objects(input, name, p);
  if (list === null) return null;
  return list.map((port) => ({
    Label: str(port, "Label", `${p}.${name}`),
    Value: int(port, "Value", `${p}.${name}`, 0),
    To: int(port, "To", `${p}.${name}`, 0),
    HostNetwork: str(port, "HostNetwork", `${p}.${name}`, "default"),
  }));
}

function networks(parent: JsonObject, p: string): NetworkResource[] | null {
  const list = objects(parent, "Networks", p);
  if (list === null) return null;
  return list.map((n) => {
    const dns = obj(n, "DNS", p);
    return {
      Mode: str(n, "Mode", p, "host"),
      Device: str(n, "Device", p),
      CIDR: str(n, "CIDR", p),
      IP: str(n, "IP", p),
      Hostname: str(n, "Hostname", p),
      MBits: int(n, "MBits", p, 0),
      DNS: dns === null ? null : {
        Servers: strings(dns, "Servers", p),
        Searches: strings(dns, "Searches", p),
        Options: strings(dns, "Options", p),
      },
      ReservedPorts: ports(n, "ReservedPorts", p),
      DynamicPorts: ports(n, "DynamicPorts", p),
    };
  });
}

function constraints(parent: JsonObject, p: string): Constraint[] | null {
  const list = objects(parent, "Constraints", p.replace(/\.Constraints$/, ""));
  if (list === null) return null;
  return list.map((c) => ({
    LTarget: str(c, "LTarget", p),
    RTarget: str(c, "RTarget", p),
    Operand: str(c, "Operand", p, "="),
  }));
}

function affinities(parent: JsonObject, p: string): Affinity[] | null {
  const list = objects(parent, "Affinities", p.replace(/\.Affinities$/, ""));
  if (list === null) return null;
  return list.map((a) => ({
    LTarget: str(a, "LTarget", p),
    RTarget: str(a, "RTarget", p),
    Operand: str(a, "Operand", p, "="),
    Weight: int(a, "Weight", p, 50),
  }));
}

function spreads(parent: JsonObject, p: string): Spread[] | null {
  const list = objects(parent, "Spreads", p.replace(/\.Spreads$/, ""));
  if (list === null) return null;
  return list.map((s) => ({
    Attribute: str(s, "Attribute", p),
    Weight: int(s, "Weight", p, 50),
    SpreadTarget: (objects(s, "SpreadTarget", p) ?? []).map((t) => ({
      Value: str(t, "Value", p),
      Percent: int(t, "Percent", p, 0),
    })),
  }));
}

function services(parent: JsonObject, p: string): Service[] | null {
  const list = objects(parent, "Services", p.replace(/\.Services$/, ""));
  if (list === null) return null;
  return list.map((s) => {
    const restart = checkRestart(obj(s, "CheckRestart", p), `${p}.CheckRestart`);
    return {
      Name: str(s, "Name", p),
      TaskName: str(s, "TaskName", p),
      PortLabel: str(s, "PortLabel", p),
      AddressMode: str(s, "AddressMode", p, "auto"),
      Address: str(s, "Address", p),
      Tags: strings(s, "Tags", p),
      CanaryTags: strings(s, "CanaryTags", p),
      Checks: (objects(s, "Checks", p) ?? []).map((c) => check(c, `${p}.Checks`, restart)),
      Meta: stringMap(s, "Meta", p),
      Provider: str(s, "Provider", p, "consul"),
      OnUpdate: str(s, "OnUpdate", p, "require_healthy"),
      CheckRestart: restart,
    };
  });
}

// Nomad's CheckRestart.Canonicalize (grace defaults to 1s) and Merge (a
// check's own settings override its service's).
function checkRestart(
  input: JsonObject | null,
  p: string,
  base: CheckRestart | null = null,
): CheckRestart | null {
  if (input === null) return base;
  return {
    Limit: int(input, "Limit", p, 0) > 0 ? int(input, "Limit", p, 0) : base?.Limit ?? 0,
    Grace: intOrNull(input, "Grace", p) ?? base?.Grace ?? NS_PER_SECOND,
    IgnoreWarnings: bool(input, "IgnoreWarnings", p) || (base?.IgnoreWarnings ?? false),
  };
}

function check(c: JsonObject, p: string, restart: CheckRestart | null): ServiceCheck {
  return {
    Name: str(c, "Name", p),
    Type: str(c, "Type", p),
    Command: str(c, "Command", p),
    Args: strings(c, "Args", p),
    Path: str(c, "Path", p),
    Protocol: str(c, "Protocol", p),
    PortLabel: str(c, "PortLabel", p),
    Method: str(c, "Method", p),
    Interval: int(c, "Interval", p, 0),
    Timeout: int(c, "Timeout", p, 0),
    InitialStatus: str(c, "InitialStatus", p),
    TLSSkipVerify: bool(c, "TLSSkipVerify", p),
    Header: (obj(c, "Header", p) as ServiceCheck["Header"]) ?? null,
    Body: str(c, "Body", p),
    TaskName: str(c, "TaskName", p),
    OnUpdate: str(c, "OnUpdate", p, "require_healthy"),
    SuccessBeforePassing: int(c, "SuccessBeforePassing", p, 0),
    FailuresBeforeCritical: int(c, "FailuresBeforeCritical", p, 0),
    AddressMode: str(c, "AddressMode", p),
    CheckRestart: checkRestart(obj(c, "CheckRestart", p), `${p}.CheckRestart`, restart),
  };
}

function periodic(input: JsonObject | null): Job["Periodic"] {
  if (input === null) return null;
  const p = "Job.Periodic";
  return {
    Enabled: bool(input, "Enabled", p, true),
    Spec: str(input, "Spec", p),
    Specs: strings(input, "Specs", p),
    SpecType: str(input, "SpecType", p, "cron"),
    ProhibitOverlap: bool(input, "ProhibitOverlap", p),
    TimeZone: str(input, "TimeZone", p, "UTC"),
  };
}

function parameterized(input: JsonObject | null): Job["ParameterizedJob"] {
  if (input === null) return null;
  const p = "Job.ParameterizedJob";
  return {
    Payload: str(input, "Payload", p, "optional"),
    MetaRequired: strings(input, "MetaRequired", p),
    MetaOptional: strings(input, "MetaOptional", p),
  };
}
