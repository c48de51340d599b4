import { strictEqual } from "node:assert";
import { newEvaluation } from "../structs/mod.ts";
import { EvalBroker } from "./eval_broker.ts";

function evaluation(id: string) {
  return newEvaluation({
    ID: id,
    Namespace: "default",
    JobID: id,
    Priority: 50,
    Type: "service",
    TriggeredBy: "job-register",
  });
}

Deno.test("a paused broker queues evaluations and hands them out when resumed", async () => {
  const broker = new EvalBroker();
  broker.setPaused(true);
  broker.enqueue(evaluation("a"));
  const controller = new AbortController();
  let delivered: string | null = null;
  const waiting = broker.dequeue(controller.signal).then((d) => {
    delivered = d?.evaluation.ID ?? null;
  });
  await Promise.resolve();
  strictEqual(delivered, null, "nothing is handed out while paused");
  strictEqual(broker.stats().ready, 1);
  broker.setPaused(false);
  await waiting;
  strictEqual(delivered, "a");
  broker.enqueue(evaluation("b"));
  const next = await broker.dequeue(controller.signal);
  strictEqual(next?.evaluation.ID, "b", "resumed broker delivers at once");
});

Deno.test("a waiting worker gets nothing enqueued while paused", async () => {
  const broker = new EvalBroker();
  const controller = new AbortController();
  const waiting = broker.dequeue(controller.signal);
  broker.setPaused(true);
  broker.enqueue(evaluation("a"));
  controller.abort();
  strictEqual(await waiting, null);
  strictEqual(broker.stats().ready, 1);
});
