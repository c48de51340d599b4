import { deepStrictEqual, strictEqual } from "node:assert";
import { newEvaluation } from "../structs/mod.ts";
import { EVAL_DELIVERY_LIMIT, EvalBroker } from "./eval_broker.ts";

function ev(id: string, options: { job?: string; priority?: number; index?: number } = {}) {
  return newEvaluation({
    ID: id,
    Namespace: "default",
    Priority: options.priority ?? 50,
    Type: "service",
    TriggeredBy: "job-register",
    JobID: options.job ?? id,
    CreateIndex: options.index ?? 1,
  });
}

Deno.test("broker delivers higher priority first, then older", async () => {
  const broker = new EvalBroker();
  broker.enqueue(ev("low", { priority: 10, index: 1 }));
  broker.enqueue(ev("new", { priority: 50, index: 3 }));
  broker.enqueue(ev("old", { priority: 50, index: 2 }));
  const signal = new AbortController().signal;
  const order: string[] = [];
  for (let i = 0; i < 3; i++) order.push((await broker.dequeue(signal))!.evaluation.ID);
  deepStrictEqual(order, ["old", "new", "low"]);
});

Deno.test("broker keeps one evaluation per job in flight", async () => {
  const broker = new EvalBroker();
  const signal = new AbortController().signal;
  broker.enqueue(ev("a1", { job: "a" }));
  broker.enqueue(ev("a2", { job: "a" }));
  const first = (await broker.dequeue(signal))!;
  strictEqual(first.evaluation.ID, "a1");
  deepStrictEqual(broker.stats(), { ready: 0, unacked: 1, pending: 1 });
  broker.ack("a1", first.token);
  strictEqual((await broker.dequeue(signal))!.evaluation.ID, "a2");
});

Deno.test("a waiting dequeue gets the next enqueued evaluation; abort returns null", async () => {
  const broker = new EvalBroker();
  const abort = new AbortController();
  const waiting = broker.dequeue(abort.signal);
  broker.enqueue(ev("x"));
  strictEqual((await waiting)!.evaluation.ID, "x");
  const idle = broker.dequeue(abort.signal);
  abort.abort();
  strictEqual(await idle, null);
});

Deno.test("nack redelivers until the delivery limit", async () => {
  const broker = new EvalBroker();
  const signal = new AbortController().signal;
  broker.enqueue(ev("x"));
  for (let i = 1; i < EVAL_DELIVERY_LIMIT; i++) {
    const item = (await broker.dequeue(signal))!;
    strictEqual(broker.nack("x", item.token), true);
  }
  const last = (await broker.dequeue(signal))!;
  strictEqual(broker.nack("x", last.token), false);
  deepStrictEqual(broker.stats(), { ready: 0, unacked: 0, pending: 0 });
});
