/** The evaluation of a stopped job names the deployment it cancels (Nomad's eval.DeploymentID). */

import { strictEqual } from "node:assert";
import { newDeployment } from "../structs/mod.ts";
import { Harness, mockAlloc, mockEval, mockJob, mockNode, TEST_NOW_NS } from "./testing.ts";

function setup(type: "service" | "batch") {
  const h = new Harness();
  const node = mockNode();
  h.upsertNode(node);
  const job = mockJob({ Type: type });
  const deployment = newDeployment(job, { id: "d-1", evalPriority: 50, nowNs: TEST_NOW_NS });
  h.upsertDeployment(deployment);
  const stopped = { ...job, Stop: true };
  h.upsertJob(stopped);
  h.upsertAllocs(mockAlloc(job, node, { DeploymentID: deployment.ID }));
  return { h, job: stopped, deployment };
}

Deno.test("stopping a service job cancels its deployment and the evaluation names it", async () => {
  const { h, job, deployment } = setup("service");
  await h.process(mockEval(job, { TriggeredBy: "job-deregister" }));
  const update = h.plans.at(-1)?.DeploymentUpdates[0];
  strictEqual(update?.DeploymentID, deployment.ID);
  strictEqual(update?.Status, "cancelled");
  strictEqual(h.lastEvalUpdate()?.DeploymentID, deployment.ID);
  strictEqual(h.lastEvalUpdate()?.Status, "complete");
});

Deno.test("a stopped batch job's evaluation names no deployment", async () => {
  const { h, job } = setup("batch");
  await h.process(mockEval(job, { TriggeredBy: "job-deregister", Type: "batch" }));
  strictEqual(h.lastEvalUpdate()?.DeploymentID, "");
});
