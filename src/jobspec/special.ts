/**
 * The rules Nomad applies on top of plain block decoding, one function per api
 * type, each observed from `nomad job run -output`: defaults it fills in,
 * shorthands it expands and fields it moves.
 */

import type { JsonObject } from "../structs/decode.ts";
import {
  type BodyContent,
  evaluate,
  HclSyntaxError,
  type ScopedBlock,
  toBoolValue,
  toStringValue,
  type Value,
} from "../hcl/mod.ts";
import type { DecodeRun } from "./decode.ts";
import { CONSTRAINT_SHORTHANDS } from "./schema.ts";

/** What a finishing rule may look at besides the decoded fields. */
export interface FinishInput {
  readonly content: BodyContent;
  readonly scoped: ScopedBlock;
  readonly run: DecodeRun;
  /** Decodes a nested block (for job-level tasks). */
  readonly decode: (type: string, scoped: ScopedBlock, run: DecodeRun) => JsonObject;
}

type Rule = (out: JsonObject, input: FinishInput) => JsonObject;

/** Reports, once per run, that `stanza` is decoded but not acted on by this agent. */
export function warnOnce(run: DecodeRun, stanza: string): void {
  if (run.warned.has(stanza) || run.onWarning === undefined) return;
  run.warned.add(stanza);
  run.onWarning(`The ${stanza} block is accepted but not supported by this agent; it is ignored.`);
}

const SECOND_NS = 1_000_000_000;

/** An attribute converted by `convert`; a value of the wrong type is a positioned error. */
function convertedAttribute<T>(
  input: FinishInput,
  name: string,
  convert: (value: Value) => T,
): T | undefined {
  const attr = input.content.attributes.get(name);
  if (attr === undefined) return undefined;
  const value = evaluate(attr.expr, input.scoped.ctx);
  if (value === null) return undefined;
  try {
    return convert(value);
  } catch (error) {
    throw new HclSyntaxError(
      "Incorrect attribute value type",
      `Inappropriate value for attribute "${name}": ${(error as Error).message}.`,
      attr.expr.range,
    );
  }
}

/** `version = ">= 1.2"` is operator "version" with that value; "=" is the default operator. */
function operatorShorthands(out: JsonObject, input: FinishInput): JsonObject {
  for (const name of CONSTRAINT_SHORTHANDS) {
    const value = convertedAttribute(input, name, toStringValue);
    if (value === undefined) continue;
    out.Operand = name;
    out.RTarget = value;
  }
  return out;
}

function finishConstraint(out: JsonObject, input: FinishInput): JsonObject {
  operatorShorthands(out, input);
  if (convertedAttribute(input, "distinct_hosts", toBoolValue) === true) {
    out.Operand = "distinct_hosts";
    out.RTarget = "true";
  }
  const property = convertedAttribute(input, "distinct_property", toStringValue);
  if (property !== undefined) {
    out.Operand = "distinct_property";
    out.LTarget = property;
  }
  if (out.Operand === undefined || out.Operand === "") out.Operand = "=";
  return out;
}

function finishAffinity(out: JsonObject, input: FinishInput): JsonObject {
  operatorShorthands(out, input);
  if (out.Operand === undefined || out.Operand === "") out.Operand = "=";
  return out;
}

/** ID and Name default to the label; a task written in the job becomes a group of its own. */
function finishJob(out: JsonObject, input: FinishInput): JsonObject {
  const label = input.scoped.block.labels[0]?.value ?? "";
  out.ID ??= label;
  out.Name ??= label;
  const tasks = input.content.blocks.filter((b) => b.block.type === "task");
  if (tasks.length > 0) {
    const groups = (out.TaskGroups ?? []) as JsonObject[];
    for (const scoped of tasks) {
      const task = input.decode("Task", scoped, input.run);
      groups.push({ Name: task.Name, Tasks: [task] });
    }
    out.TaskGroups = groups;
  }
  return out;
}

/** Ports with `static` are reserved; the others are dynamic. */
function finishNetwork(out: JsonObject): JsonObject {
  const ports = (out.DynamicPorts ?? []) as JsonObject[];
  delete out.DynamicPorts;
  delete out.ReservedPorts;
  const reserved = ports.filter((p) => p.Value !== undefined);
  const dynamic = ports.filter((p) => p.Value === undefined);
  if (reserved.length > 0) out.ReservedPorts = reserved;
  if (dynamic.length > 0) out.DynamicPorts = dynamic;
  return out;
}

/** The first unnamed identity is the task's default identity. */
function finishTask(out: JsonObject): JsonObject {
  const identities = (out.Identities ?? []) as JsonObject[];
  const index = identities.findIndex((i) => i.Name === undefined || i.Name === "");
  if (index >= 0) {
    out.Identity = identities[index]!;
    const rest = identities.filter((_, i) => i !== index);
    if (rest.length > 0) out.Identities = rest;
    else delete out.Identities;
  }
  return out;
}

function finishTemplate(out: JsonObject): JsonObject {
  out.ChangeMode ??= "restart";
  out.Splay ??= 5 * SECOND_NS;
  out.Perms ??= "0644";
  out.ErrMissingKey ??= false;
  return out;
}

function finishChangeScript(out: JsonObject): JsonObject {
  out.Args ??= [];
  out.Timeout ??= 5 * SECOND_NS;
  return out;
}

const RULES: Readonly<Record<string, Rule>> = {
  Job: finishJob,
  Constraint: finishConstraint,
  Affinity: finishAffinity,
  NetworkResource: finishNetwork,
  Task: finishTask,
  Template: finishTemplate,
  ChangeScript: finishChangeScript,
  VolumeRequest: (out, input) => {
    if (out.Type === "csi") warnOnce(input.run, "csi volume");
    return out;
  },
  Vault: (out) => {
    out.Env ??= true;
    out.DisableFile ??= false;
    out.ChangeMode ??= "restart";
    return out;
  },
  PeriodicConfig: (out) => {
    if (out.Spec !== undefined || out.Specs !== undefined) out.SpecType = "cron";
    return out;
  },
  ScalingPolicy: (out) => {
    out.Type ??= "horizontal";
    return out;
  },
  TaskScalingPolicy: (out) => ({ ...out, Type: `vertical_${out.Type}` }),
};

/** Applies the rule for `type`, if any, to a freshly decoded block. */
export function finishStruct(type: string, out: JsonObject, input: FinishInput): JsonObject {
  const rule = RULES[type];
  return rule === undefined ? out : rule(out, input);
}
