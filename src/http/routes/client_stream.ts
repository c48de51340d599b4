/**
 * Streaming bodies for the client fs/logs routes: Nomad StreamFrames (JSON
 * objects back to back, `{}` as a heartbeat) or the plain bytes.
 */

import type { Context } from "hono";
import { encodeBase64 } from "../../core/base64.ts";

/** One frame's content; `null` is a heartbeat. */
export type FramePart = { file: string; offset: number; data: Uint8Array; event: string } | null;

/**
 * Nomad's StreamFrame JSON. Empty fields are left out as Go's `omitempty` does,
 * so a heartbeat is `{}`.
 */
export function encodeFrame(part: FramePart): string {
  if (part === null) return "{}";
  const frame: Record<string, unknown> = {};
  if (part.offset !== 0) frame["Offset"] = part.offset;
  if (part.data.length > 0) frame["Data"] = encodeBase64(part.data);
  if (part.file !== "") frame["File"] = part.file;
  if (part.event !== "") frame["FileEvent"] = part.event;
  return JSON.stringify(frame);
}

/**
 * Sends `parts` as the response body. The first part is read before the
 * response starts so that a failure to open the stream gets its own status
 * code instead of a 200 with a broken body.
 */
export async function streamBody(
  c: Context,
  parts: AsyncGenerator<FramePart>,
  options: { plain: boolean; abort: AbortController },
): Promise<Response> {
  const encoder = new TextEncoder();
  const first = await parts.next();
  let pending: IteratorResult<FramePart> | null = first;
  const emit = (controller: ReadableStreamDefaultController<Uint8Array>, part: FramePart) => {
    if (!options.plain) controller.enqueue(encoder.encode(encodeFrame(part)));
    else if (part !== null && part.data.length > 0) controller.enqueue(part.data);
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = pending ?? await parts.next();
      pending = null;
      if (next.done) return controller.close();
      emit(controller, next.value);
    },
    async cancel() {
      options.abort.abort();
      await parts.return(undefined);
    },
  });
  const contentType = options.plain ? "text/plain; charset=utf-8" : "application/json";
  return c.body(stream, 200, { "Content-Type": contentType });
}
