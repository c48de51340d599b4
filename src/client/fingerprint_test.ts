import assert from "node:assert/strict";
import { fingerprintHostVolumes } from "./fingerprint.ts";

Deno.test("configured host volumes become the node's HostVolumes", () => {
  assert.equal(fingerprintHostVolumes({}), null);
  assert.deepEqual(
    fingerprintHostVolumes({
      data: { path: "/srv/data", readOnly: false },
      certs: { path: "/etc/certs", readOnly: true },
    }),
    {
      data: { Path: "/srv/data", ReadOnly: false },
      certs: { Path: "/etc/certs", ReadOnly: true },
    },
  );
});
