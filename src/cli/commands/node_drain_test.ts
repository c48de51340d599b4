import assert from "node:assert/strict";
import { nodeListStub } from "../../structs/mod.ts";
import { nodeFixture, runNomad, withFakeNomad } from "../testing.ts";
import { DEFAULT_DRAIN_DEADLINE_NS, drainDeadline } from "./node_drain.ts";

const NODE_ID = "9b7f1fb1-aaaa-bbbb-cccc-ddddeeeeffff";

Deno.test("node drain rejects conflicting or missing flags with Nomad's messages", async () => {
  const cases: [string[], string][] = [
    [
      ["node", "drain", NODE_ID],
      "Either the '-enable' or '-disable' flag must be set, unless using '-monitor'",
    ],
    [
      ["node", "drain", "-enable", "-disable", NODE_ID],
      "Either the '-enable' or '-disable' flag must be set, unless using '-monitor'",
    ],
    [
      ["node", "drain", "-monitor", "-enable", NODE_ID],
      "The -monitor flag cannot be used with the '-enable' or '-disable' flags",
    ],
    [["node", "drain", "-enable"], "Node ID must be specified if -self isn't being used"],
    [
      ["node", "drain", "-enable", "-self", NODE_ID],
      "Node ID must be specified if -self isn't being used",
    ],
    [
      ["node", "drain", "-disable", "-force", NODE_ID],
      "-disable can't be combined with flags configuring drain strategy",
    ],
    [
      ["node", "drain", "-enable", "-deadline", "1h", "-force", NODE_ID],
      "-deadline can't be combined with -force or -no-deadline",
    ],
    [
      ["node", "drain", "-enable", "-force", "-no-deadline", NODE_ID],
      "-force and -no-deadline are mutually exclusive",
    ],
    [["node", "eligibility", NODE_ID], "Either the '-enable' or '-disable' flag must be set"],
    [["node", "eligibility", "-enable"], "Node ID must be specified if -self isn't being used"],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await runNomad(args);
    assert.equal(code, 1, args.join(" "));
    assert.ok(stderr.startsWith(message + "\n"), `${args.join(" ")}: ${stderr}`);
  }
  const parse = await runNomad(["node", "drain", "-enable", "-deadline", "soon", NODE_ID]);
  assert.equal(parse.stderr, 'Failed to parse deadline "soon": time: invalid duration "soon"\n');
  const short = await runNomad(["node", "drain", "-enable", "x"]);
  assert.equal(short.stderr, "Identifier must contain at least two characters.\n");
});

Deno.test("drain deadlines: -force is -1s, -no-deadline 0, default one hour", () => {
  assert.equal(drainDeadline({ force: true, noDeadline: false, deadline: "" }), -1e9);
  assert.equal(drainDeadline({ force: false, noDeadline: true, deadline: "" }), 0);
  assert.equal(
    drainDeadline({ force: false, noDeadline: false, deadline: "" }),
    DEFAULT_DRAIN_DEADLINE_NS,
  );
  assert.equal(drainDeadline({ force: false, noDeadline: false, deadline: "90s" }), 90e9);
  assert.equal(
    drainDeadline({ force: false, noDeadline: false, deadline: "0s" }),
    "A positive drain duration must be given",
  );
});

Deno.test("node drain -detach sends the spec and prints; a prefix asks for confirmation", async () => {
  const node = nodeFixture();
  await withFakeNomad({
    "GET /v1/nodes": [nodeListStub(node)],
    [`GET /v1/node/${NODE_ID}`]: node,
    [`PUT /v1/node/${NODE_ID}/drain`]: {
      NodeModifyIndex: 5,
      EvalIDs: null,
      EvalCreateIndex: 0,
      Index: 5,
    },
  }, async (server) => {
    const lastBody = () => JSON.parse(server.requests.at(-1)!.body);
    const env = { NOMAD_ADDR: server.address };
    const set = await runNomad(["node", "drain", "-enable", "-detach", "-force", NODE_ID], { env });
    assert.equal(set.stderr, "");
    assert.equal(set.stdout, `Node "${NODE_ID}" drain strategy set\n`);
    assert.deepEqual(lastBody(), {
      NodeID: NODE_ID,
      DrainSpec: { Deadline: -1e9, IgnoreSystemJobs: false },
      MarkEligible: true,
      Meta: {},
    });
    const cancelled = await runNomad(["node", "drain", "-disable", "9b7f"], { env, lines: ["n"] });
    assert.equal(
      cancelled.stdout,
      `Are you sure you want to disable drain mode for node "${NODE_ID}"? [y/N] Canceling drain toggle\n`,
    );
    const unset = await runNomad(
      ["node", "drain", "-disable", "-keep-ineligible", "-m", "done", "9b7f"],
      { env, lines: ["y"] },
    );
    assert.ok(unset.stdout.endsWith(`Node "${NODE_ID}" drain strategy unset\n`), unset.stdout);
    assert.deepEqual(lastBody(), {
      NodeID: NODE_ID,
      DrainSpec: null,
      MarkEligible: false,
      Meta: { cancel_message: "done" },
    });
  });
});
