import assert from "node:assert/strict";
import { ApiError, ConnectionError, describeNetworkFailure, dialAddress } from "./errors.ts";

Deno.test("ApiError uses Nomad's 'Unexpected response code' wording", () => {
  assert.equal(
    new ApiError(404, "job not found\n").message,
    "Unexpected response code: 404 (job not found)",
  );
  assert.equal(new ApiError(500, "").message, "Unexpected response code: 500");
});

Deno.test("ConnectionError mirrors Go's url.Error for refused connections", () => {
  const cause = new TypeError("fetch failed", {
    cause: new Error(
      "client error (Connect): tcp connect error: Connection refused (os error 111)",
    ),
  });
  const error = new ConnectionError("GET", "http://127.0.0.1:4646/v1/jobs", cause);
  assert.equal(
    error.message,
    'Get "http://127.0.0.1:4646/v1/jobs": dial tcp 127.0.0.1:4646: connect: connection refused',
  );
});

Deno.test("network failures are described like Go's net package", () => {
  assert.equal(dialAddress("http://localhost/v1"), "127.0.0.1:80");
  assert.equal(dialAddress("https://nomad.example:8443/v1"), "nomad.example:8443");
  assert.equal(
    describeNetworkFailure(
      "http://nomad.invalid:4646/v1/jobs",
      new Error("dns error: failed to lookup address information"),
    ),
    "dial tcp: lookup nomad.invalid: no such host",
  );
});
