import { deepStrictEqual, strictEqual, throws } from "node:assert";
import { LogStore } from "./log_store.ts";

Deno.test("log entries survive closing and reopening the database file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new LogStore(`${dir}/raft.db`);
    store.append([{ index: 1, term: 1, type: "A", data: "{}" }, {
      index: 2,
      term: 1,
      type: "B",
      data: '{"x":1}',
    }]);
    store.setStable("CurrentTerm", "1");
    store.close();
    const reopened = new LogStore(`${dir}/raft.db`);
    strictEqual(reopened.lastIndex, 2);
    deepStrictEqual([...reopened.entries(2)].map((e) => e.type), ["B"]);
    strictEqual(reopened.getStable("CurrentTerm"), "1");
    reopened.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the log refuses gaps and keeps its last index on failure", () => {
  const store = new LogStore(":memory:");
  store.append([{ index: 1, term: 1, type: "A", data: "{}" }]);
  throws(() => store.append([{ index: 3, term: 1, type: "A", data: "{}" }]), /log gap/);
  strictEqual(store.lastIndex, 1);
  store.close();
});
