import { deepStrictEqual, strictEqual } from "node:assert";
import { encodeBase64 } from "../core/base64.ts";
import { snappyEncode } from "../core/snappy.ts";
import { dispatchPayloadFile, dispatchPayloadHook } from "./dispatch_payload.ts";
import type { TaskHookContext } from "./hooks/mod.ts";

const payload = (text: string) => encodeBase64(snappyEncode(new TextEncoder().encode(text)));

Deno.test("dispatch_payload: only a dispatched job with a payload and a file gets one", () => {
  const task = { DispatchPayload: { File: "input.txt" } };
  strictEqual(dispatchPayloadFile(null, task, "/l"), null);
  strictEqual(dispatchPayloadFile({ Payload: null }, task, "/l"), null);
  strictEqual(
    dispatchPayloadFile({ Payload: payload("x") }, { DispatchPayload: null }, "/l"),
    null,
  );
  strictEqual(
    dispatchPayloadFile({ Payload: payload("x") }, { DispatchPayload: { File: "" } }, "/l"),
    null,
  );
  const target = dispatchPayloadFile({ Payload: payload("hello") }, task, "/l")!;
  strictEqual(target.path, "/l/input.txt");
  deepStrictEqual(new TextDecoder().decode(target.data), "hello");
});

Deno.test("dispatch_payload: the hook writes the decoded payload under local/, creating directories", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ctx = {
      alloc: { Job: { Payload: payload("the payload") } },
      task: { DispatchPayload: { File: "in/data.txt" } },
      taskDir: { local: `${dir}/local` },
    } as unknown as TaskHookContext;
    await dispatchPayloadHook().prestart!(ctx);
    strictEqual(await Deno.readTextFile(`${dir}/local/in/data.txt`), "the payload");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
