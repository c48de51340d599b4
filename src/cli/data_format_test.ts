import assert from "node:assert/strict";
import { formatData } from "./data_format.ts";

Deno.test("-t formats API data with a Go template; -json pretty-prints it", () => {
  const data = { ID: "a1", TaskStates: { web: { State: "running" } }, Tags: ["x", "y"] };
  assert.equal(
    formatData(
      false,
      "{{ .ID }} {{ range $k, $v := .TaskStates }}{{ $k }}={{ $v.State }}{{ end }} {{ index .Tags 1 }}/{{ len .Tags }}",
      data,
    ),
    "a1 web=running y/2",
  );
  assert.equal(formatData(true, "", { A: 1 }), '{\n    "A": 1\n}');
});

Deno.test("-t refuses bad templates and conflicting options with Nomad's texts", () => {
  assert.throws(() => formatData(true, "{{ .ID }}", {}), {
    message: "Both json and template formatting are not allowed",
  });
  assert.throws(() => formatData(false, "", {}), { message: "no formatting option given" });
  assert.throws(() => formatData(false, "{{ .ID", {}), {
    message: "Error formatting the data: template: :1: unclosed action",
  });
  assert.throws(() => formatData(false, "{{ nope }}", {}), {
    message: 'Error formatting the data: template: :1: function "nope" not defined',
  });
});
