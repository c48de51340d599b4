import { deepStrictEqual } from "node:assert";
import { canonicalizeJob } from "./canonicalize.ts";
import { validateJob } from "./validate.ts";

function errors(task: Record<string, unknown>, group: Record<string, unknown> = {}): string[] {
  return validateJob(canonicalizeJob({
    ID: "j",
    Type: "batch",
    TaskGroups: [{ Name: "g", ...group, Tasks: [{ Name: "t", Driver: "raw_exec", ...task }] }],
  }));
}

const taskFailed = (...problems: string[]) => [
  `Task group g validation failed: 1 error occurred:\n\t* Task t validation failed: ${problems.length} error${
    problems.length === 1 ? "" : "s"
  } occurred:\n${problems.map((p) => `\t* ${p}`).join("\n")}`,
];

Deno.test("validate: artifacts get Nomad's source, mode, destination and checksum checks", () => {
  const sha = "a".repeat(64);
  deepStrictEqual(
    errors({
      Artifacts: [{
        GetterSource: "https://example.test/a.tgz",
        GetterOptions: { checksum: `sha256:${sha}` },
        RelativeDest: "local/a",
      }],
    }),
    [],
  );
  // Interpolated checksums are checked on the client.
  deepStrictEqual(
    errors({
      Artifacts: [{ GetterSource: "x", GetterOptions: { checksum: "${NOMAD_META_sum}" } }],
    }),
    [],
  );
  const cases: [Record<string, unknown>, string][] = [
    [{ GetterSource: "" }, "source must be specified"],
    [
      { GetterSource: "x", GetterMode: "tree" },
      'invalid artifact mode "tree"; must be one of: any, file, dir',
    ],
    [{ GetterSource: "x", RelativeDest: "../../etc" }, "destination escapes allocation directory"],
    [{ GetterSource: "x", GetterOptions: { checksum: " " } }, "checksum value cannot be empty"],
    [
      { GetterSource: "x", GetterOptions: { checksum: "abc" } },
      'checksum must be given as "type:value"; got "abc"',
    ],
    [
      { GetterSource: "x", GetterOptions: { checksum: "crc:00" } },
      "unsupported checksum type: crc",
    ],
    [{ GetterSource: "x", GetterOptions: { checksum: "md5:00" } }, "invalid md5 checksum: 00"],
    [
      { GetterSource: "x", GetterOptions: { checksum: "md5:0" } },
      "invalid checksum: encoding/hex: odd length hex string",
    ],
  ];
  for (const [artifact, problem] of cases) {
    const all = errors({ Artifacts: [{ GetterSource: "ok" }, artifact] })[0] ?? "";
    const expected = `Artifact 2 validation failed: 1 error occurred:\n\t* ${problem}`;
    deepStrictEqual(all.includes(expected), true, `${JSON.stringify(artifact)}:\n${all}`);
  }
});

Deno.test("validate: a volume_mount must name one of the group's volumes", () => {
  const group = { Volumes: { data: { Name: "data", Type: "host", Source: "data" } } };
  deepStrictEqual(errors({ VolumeMounts: [{ Volume: "data", Destination: "/d" }] }, group), []);
  deepStrictEqual(
    errors({
      VolumeMounts: [{ Volume: "data", Destination: "/d" }, { Volume: "logs", Destination: "/l" }],
    }, group),
    taskFailed("Volume Mount (1) references undefined volume logs"),
  );
});
