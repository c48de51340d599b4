import assert from "node:assert/strict";
import { DriverError, type ExecSession } from "../driver.ts";
import { shellQuote, startExecSession } from "./exec_streaming.ts";

const decoder = new TextDecoder();

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text;
}

async function finish(session: ExecSession): Promise<{ out: string; err: string; code: number }> {
  const [out, err, code] = await Promise.all([
    readAll(session.stdout),
    readAll(session.stderr),
    session.exited,
  ]);
  return { out, err, code };
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "exec-streaming-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("exec session runs in the task's directory with exactly the task's environment", async () => {
  await withDir(async (dir) => {
    const env = { PATH: "/usr/bin:/bin", NOMAD_TASK_NAME: "web" };
    const session = await startExecSession(
      ["/bin/sh", "-c", 'echo "$NOMAD_TASK_NAME $(pwd) ${HOME:-nohome}"; echo oops >&2; exit 3'],
      { env, cwd: dir },
      false,
    );
    await session.closeStdin();
    const result = await finish(session);
    assert.equal(result.out, `web ${await Deno.realPath(dir)} nohome\n`);
    assert.equal(result.err, "oops\n");
    assert.equal(result.code, 3);
  });
});

Deno.test("exec session feeds stdin to an interactive shell", async () => {
  await withDir(async (dir) => {
    const session = await startExecSession(
      ["sh"],
      { env: { PATH: "/usr/bin:/bin" }, cwd: dir },
      false,
    );
    await session.write(new TextEncoder().encode("echo one\nexit 7\n"));
    const result = await finish(session);
    assert.equal(result.out, "one\n");
    assert.equal(result.code, 7);
  });
});

Deno.test("exec session refuses a missing or empty command", async () => {
  await withDir(async (dir) => {
    await assert.rejects(
      startExecSession(["no-such-binary-xyz"], { env: { PATH: "/usr/bin:/bin" }, cwd: dir }, false),
      (error: unknown) =>
        error instanceof DriverError &&
        error.message === 'exec: "no-such-binary-xyz": executable file not found in $PATH',
    );
    await assert.rejects(
      startExecSession([], { env: {}, cwd: dir }, false),
      /command is not present/,
    );
  });
});

Deno.test("exec session with a TTY runs on a terminal that follows resizes", async () => {
  await withDir(async (dir) => {
    const session = await startExecSession(
      ["sh"],
      { env: { PATH: "/usr/bin:/bin" }, cwd: dir },
      true,
    );
    await session.resize({ height: 33, width: 111 });
    await session.write(
      new TextEncoder().encode("test -t 0 && echo IS-A-TTY; stty size; exit 4\n"),
    );
    const result = await finish(session);
    assert.match(result.out, /IS-A-TTY/);
    assert.match(result.out, /33 111/);
    assert.equal(result.code, 4);
  });
});

Deno.test("shellQuote keeps single quotes", () => {
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});
