import assert from "node:assert/strict";
import {
  type DependencyData,
  dependencyKey,
  type DependencyValue,
  goTemplate,
  type MissingKey,
  nomadTemplate,
  renderNomadTemplate,
  TemplateExecError,
  TemplateParseError,
  type TemplateService,
  type TemplateVariable,
} from "./mod.ts";

interface GoCase {
  template: string;
  data: unknown;
  missingKey?: MissingKey;
  want: string;
}

interface GoErrorCase {
  template: string;
  data: unknown;
  missingKey?: MissingKey;
  error: string;
}

// Expected texts were produced by Go's text/template (go1.26) on the same input.
const GO_OUTPUTS: GoCase[] = [
  { template: "hello {{.Name}}!", data: { "Name": "world" }, want: "hello world!" },
  { template: "{{.Missing}}", data: {}, want: "<no value>" },
  { template: "{{.A.B}}", data: { "A": { "B": "x" } }, want: "x" },
  { template: "{{.A.B}}", data: {}, want: "<no value>" },
  { template: '{{- "a" -}}  \n  {{- "b" }}  x  {{ "c" -}}\n y', data: null, want: "ab  x  cy" },
  { template: "{{/* comment */}}x{{- /* c2 */ -}} y", data: null, want: "xy" },
  { template: "{{$x := 1}}{{$x}}{{$x = 2}}{{$x}}", data: null, want: "12" },
  {
    template: "{{if .A}}yes{{else if .B}}b{{else}}no{{end}}",
    data: { "A": false, "B": true },
    want: "b",
  },
  {
    template: "{{range $i, $v := .L}}{{$i}}={{$v}};{{else}}empty{{end}}",
    data: { "L": ["a", "b"] },
    want: "0=a;1=b;",
  },
  { template: "{{range .L}}{{.}}{{else}}empty{{end}}", data: { "L": [] }, want: "empty" },
  {
    template: "{{range $k, $v := .M}}{{$k}}:{{$v}} {{end}}",
    data: { "M": { "b": 2, "a": 1 } },
    want: "a:1 b:2 ",
  },
  { template: "{{with .A}}{{.}}{{else}}none{{end}}", data: { "A": "" }, want: "none" },
  { template: '{{define "x"}}X{{.}}{{end}}{{template "x" 5}}', data: null, want: "X5" },
  { template: '{{block "b" .}}B{{.}}{{end}}', data: 3, want: "B3" },
  {
    template:
      '{{eq 1 1}} {{eq 1 2 3 1}} {{ne "a" "b"}} {{lt 1 2}} {{le 2 2}} {{gt 3 2}} {{ge 1 2}}',
    data: null,
    want: "true true true true true true false",
  },
  { template: '{{eq .Missing "x"}}', data: {}, want: "false" },
  { template: '{{and 1 0 2}} {{or 0 "" 3}} {{not 0}} {{and 1 2}}', data: null, want: "0 3 true 2" },
  {
    template: '{{len .L}} {{len "abc"}} {{len .M}}',
    data: { "L": [1, 2], "M": { "a": 1 } },
    want: "2 3 1",
  },
  {
    template: '{{index .L 1}} {{index .M "a"}} {{index .N 0 1}}',
    data: { "L": [1, 2], "M": { "a": "x" }, "N": [[1, 2]] },
    want: "2 x 2",
  },
  { template: '{{index .M "zz"}}', data: { "M": { "a": "x" } }, want: "<no value>" },
  { template: '{{print 1 2 "a" 3}} {{print "a" "b"}}', data: null, want: "1 2a3 ab" },
  { template: '{{println 1 "a"}}', data: null, want: "1 a\n" },
  {
    template:
      '{{printf "%s-%d-%v-%q-%.2f-%x-%t-%%-%5s|%-4d|" "s" 3 .L "q" 3.14159 255 true "r" 7}}',
    data: { "L": [1, "a"] },
    want: 's-3-[1 a]-"q"-3.14-ff-true-%-    r|7   |',
  },
  {
    template: '{{printf "%d" "x"}} {{printf "%s"}} {{printf "a" 1}}',
    data: null,
    want: "%!d(string=x) %!s(MISSING) a%!(EXTRA int=1)",
  },
  {
    template: '{{html "<a href=\'x\'>&\\""}} {{js "a\'b\\"<>=&"}} {{urlquery "a b&c=d/é"}}',
    data: null,
    want:
      "&lt;a href=&#39;x&#39;&gt;&amp;&#34; a\\'b\\\"\\u003C\\u003E\\u003D\\u0026 a+b%26c%3Dd%2F%C3%A9",
  },
  {
    template: "{{.L}} {{.M}} {{.F}} {{.N}} {{.B}}",
    data: {
      "L": [1, "a", null],
      "M": { "b": [1], "a": { "c": true } },
      "F": 1.5,
      "N": null,
      "B": false,
    },
    want: "[1 a <nil>] map[a:map[c:true] b:[1]] 1.5 <no value> false",
  },
  { template: '{{ 3 | printf "%d-%d" 2 }}', data: null, want: "2-3" },
  { template: '{{ "abc" | len | printf "%03d" }}', data: null, want: "003" },
  { template: "{{(index .L 0).A}}", data: { "L": [{ "A": "z" }] }, want: "z" },
  { template: "{{$.A}}{{with .B}}{{$.A}}{{.}}{{end}}", data: { "A": "a", "B": "b" }, want: "aab" },
  {
    template: "{{range $i, $e := .L}}{{$e.N}}{{end}}",
    data: { "L": [{ "N": 1 }, { "N": 2 }] },
    want: "12",
  },
  {
    template: "{{ 1.5 }} {{ 0x1F }} {{ 'a' }} {{ -3 }} {{ 1e3 }} {{ 2.0 }}",
    data: null,
    want: "1.5 31 97 -3 1000 2",
  },
  { template: '{{ `raw\\n` }} {{ "esc\\t" }}', data: null, want: "raw\\n esc\t" },
  { template: "{{range 3}}{{.}}{{end}}", data: null, want: "012" },
  { template: "{{if and .A (not .B)}}ok{{end}}", data: { "A": true, "B": false }, want: "ok" },
  {
    template: '{{ slice "abcdef" 1 3 }} {{ slice .L 1 }}',
    data: { "L": [1, 2, 3] },
    want: "bc [2 3]",
  },
  { template: "{{ println }}x", data: null, want: "\nx" },
  {
    template: '{{ html .Missing }}|{{ print .Missing }}|{{ printf "%v" .Missing }}',
    data: {},
    want: "&lt;no value&gt;|<nil>|<nil>",
  },
  { template: "{{ if eq .A 1.5 }}y{{ end }}", data: { "A": 1.5 }, want: "y" },
  { template: "{{ .A | }}", data: null, want: "<no value>" },
  { template: "{{ with .A }}{{ else with .B }}{{ . }}{{ end }}", data: { "B": "b" }, want: "b" },
  { template: "{{- /* comment */ -}}", data: null, want: "" },
  { template: "{{ .A.B }}", data: { "A": { "B": 1 } }, missingKey: "error", want: "1" },
  {
    template: '{{ printf "%s" 1 }}{{ printf "%d %v %s" 1.5 .L .M }}',
    data: { "L": ["a"], "M": { "a": "b" } },
    want: "%!s(int=1)%!d(float64=1.5) [a] map[a:b]",
  },
  {
    template:
      '{{ printf "%5.2f|%-8.3f|%+d|%e|%g|%08.3f" 3.14159 2.5 5 123456.789 0.00001234 -3.5 }}',
    data: null,
    want: " 3.14|2.500   |+5|1.234568e+05|1.234e-05|-003.500",
  },
  {
    template: '{{ printf "%T %T %T %T %T" 1 1.5 "s" true .L }}',
    data: { "L": [1] },
    want: "int float64 string bool []interface {}",
  },
  {
    template: '{{ printf "%x %X %o %b %c %q" "hi" 255 8 5 65 66 }}',
    data: null,
    want: "6869 FF 10 101 A 'B'",
  },
  { template: "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", data: null, want: "2" },
  { template: "{{ range .L }}{{ $.N }}{{ end }}", data: { "L": [1, 2], "N": "n" }, want: "nn" },
  {
    template: '{{ define "T" }}[{{ . }}]{{ end }}{{ range .L }}{{ template "T" . }}{{ end }}',
    data: { "L": [1, 2] },
    want: "[1][2]",
  },
  { template: "{{ (1) }} {{ (print 1 2) }}", data: null, want: "1 1 2" },
  { template: '{{ .A | printf "%s" | len }}', data: { "A": "abc" }, want: "3" },
  { template: '{{ js 1 "a" }} {{ urlquery 1 2 }}', data: null, want: "1a 1+2" },
  { template: "{{ if ne .A nil }}x{{ end }}", data: { "A": 1 }, want: "x" },
];

const GO_ERRORS: GoErrorCase[] = [
  {
    template: "{{.Missing}}",
    data: {},
    missingKey: "error",
    error: 'template: t:1:2: executing "t" at <.Missing>: map has no entry for key "Missing"',
  },
  {
    template: "{{.A.B}}",
    data: { "A": null },
    error: 'template: t:1:4: executing "t" at <.A.B>: nil pointer evaluating interface {}.B',
  },
  {
    template: '{{eq 1 "a"}}',
    data: null,
    error:
      'template: t:1:2: executing "t" at <eq 1 "a">: error calling eq: incompatible types for comparison: int and string',
  },
  {
    template: "{{lt true false}}",
    data: null,
    error:
      'template: t:1:2: executing "t" at <lt true false>: error calling lt: invalid type for comparison',
  },
  {
    template: "{{len 3}}",
    data: null,
    error: 'template: t:1:2: executing "t" at <len 3>: error calling len: len of type int',
  },
  {
    template: "{{index .L 5}}",
    data: { "L": [1, 2] },
    error:
      'template: t:1:2: executing "t" at <index .L 5>: error calling index: index out of range: 5',
  },
  {
    template: "{{ .A 1 }}",
    data: { "A": "x" },
    error: 'template: t:1:3: executing "t" at <.A>: A is not a method but has arguments',
  },
  {
    template: "{{ 3 4 }}",
    data: null,
    error: 'template: t:1:3: executing "t" at <3>: can\'t give argument to non-function 3',
  },
  {
    template: "{{ nil }}",
    data: null,
    error: 'template: t:1:3: executing "t" at <nil>: nil is not a command',
  },
  {
    template: "{{ .A.B }}",
    data: { "A": "str" },
    error: 'template: t:1:5: executing "t" at <.A.B>: can\'t evaluate field B in type interface {}',
  },
  {
    template: "{{ range .A }}{{ end }}",
    data: { "A": true },
    error: 'template: t:1:9: executing "t" at <.A>: range can\'t iterate over true',
  },
  {
    template: '{{ template "nope" }}',
    data: null,
    error: 'template: t:1:12: executing "t" at <{{template "nope"}}>: template "nope" not defined',
  },
  {
    template: "{{ index nil 1 }}",
    data: null,
    error:
      'template: t:1:3: executing "t" at <index nil 1>: error calling index: index of untyped nil',
  },
  {
    template: "{{ index 3 1 }}",
    data: null,
    error:
      'template: t:1:3: executing "t" at <index 3 1>: error calling index: can\'t index item of type int',
  },
  {
    template: "{{ printf 3 }}",
    data: null,
    error: 'template: t:1:10: executing "t" at <3>: expected string; found 3',
  },
  {
    template: "{{ len }}",
    data: null,
    error: 'template: t:1:3: executing "t" at <len>: wrong number of args for len: want 1 got 0',
  },
  {
    template: "{{ eq }}",
    data: null,
    error:
      'template: t:1:3: executing "t" at <eq>: wrong number of args for eq: want at least 1 got 0',
  },
  {
    template: "line1\n{{ .X.Y }}\n  {{ index .L 9 }}",
    data: { "L": [1] },
    error:
      'template: t:3:5: executing "t" at <index .L 9>: error calling index: index out of range: 9',
  },
  { template: "{{if .A}}x", data: null, error: "template: t:1: unexpected EOF" },
  { template: "a\n{{end}}", data: null, error: "template: t:2: unexpected {{end}}" },
  { template: "{{else}}", data: null, error: "template: t:1: unexpected {{else}}" },
  { template: "{{if}}{{end}}", data: null, error: "template: t:1: missing value for if" },
  { template: "{{range}}{{end}}", data: null, error: "template: t:1: missing value for range" },
  { template: "{{}}", data: null, error: "template: t:1: missing value for command" },
  { template: "{{foo 1}}", data: null, error: 'template: t:1: function "foo" not defined' },
  { template: "{{$x}}", data: null, error: 'template: t:1: undefined variable "$x"' },
  { template: "x\n\n{{ .A", data: null, error: "template: t:3: unclosed action" },
  { template: "{{/* abc ", data: null, error: "template: t:1: unclosed comment" },
  { template: '{{ "abc }}', data: null, error: "template: t:1: unterminated quoted string" },
  { template: "{{ `abc }}", data: null, error: "template: t:1: unterminated raw quoted string" },
  { template: "{{ .A & }}", data: null, error: 'template: t:1: unexpected "&" in operand' },
  { template: "{{ break }}", data: null, error: "template: t:1: {{break}} outside {{range}}" },
  {
    template: "{{ range .L }}{{ continue 1 }}{{end}}",
    data: null,
    error: 'template: t:1: unexpected "1" in {{continue}}',
  },
  { template: "{{ | .A }}", data: null, error: 'template: t:1: unexpected "|" in command' },
  { template: "{{ ( .A }}", data: null, error: "template: t:1: unclosed left paren" },
  { template: "{{ .A ) }}", data: null, error: "template: t:1: unexpected right paren" },
  {
    template: "{{ template }}",
    data: null,
    error: 'template: t:1: unexpected "}}" in template clause',
  },
  {
    template: "{{ template .A }}",
    data: null,
    error: 'template: t:1: unexpected ".A" in template clause',
  },
  { template: '{{ define "a" }}', data: null, error: "template: t:1: unexpected EOF" },
  {
    template: "{{ .A | 3 }}",
    data: null,
    error: "template: t:1: non executable command in pipeline stage 2",
  },
  {
    template: "{{ $x, $y := .A }}",
    data: null,
    error: "template: t:1: too many declarations in command",
  },
  {
    template: "{{ range $x, $y, $z := .A }}{{end}}",
    data: null,
    error: "template: t:1: too many declarations in range",
  },
  {
    template: "{{ $x = 1 }}",
    data: null,
    error: 'template: t:1:8: executing "t" at <1>: undefined variable: $x',
  },
  { template: "{{ 1.2.3 }}", data: null, error: 'template: t:1: unexpected ".3" in operand' },
  {
    template: '{{ "a".B }}',
    data: null,
    error: 'template: t:1: unexpected . after term "\\"a\\""',
  },
  {
    template: "{{ if .A }}{{ else }}{{ else }}{{ end }}",
    data: null,
    error: "template: t:1: expected end; found {{else}}",
  },
  {
    template: "{{ with $x := .A }}{{ $x }}{{ end }}{{ $x }}",
    data: null,
    error: 'template: t:1: undefined variable "$x"',
  },
  {
    template: "{{ if .A }}\n{{ end }}{{ end }}",
    data: null,
    error: "template: t:2: unexpected {{end}}",
  },
  { template: "{{ 12abc }}", data: null, error: 'template: t:1: bad number syntax: "12a"' },
  { template: '{{ .A "x }}', data: null, error: "template: t:1: unterminated quoted string" },
  {
    template: '{{define "a"}}A{{end}}{{define "a"}}B{{end}}',
    data: null,
    error: 'template: t:1: template: multiple definition of template "a"',
  },
  {
    template: "{{ .A.B.C.D.E.F.G.H.I.J }}",
    data: { "A": null },
    error:
      'template: t:1:5: executing "t" at <.A.B.C.D.E.F.G.H.I.J>: nil pointer evaluating interface {}.B',
  },
  {
    template: "{{ range $i, $v := .L }}{{ $i }}{{ end }}{{ $i }}",
    data: null,
    error: 'template: t:1: undefined variable "$i"',
  },
  {
    template: "{{ 'ab' }}",
    data: null,
    error: "template: t:1: malformed character constant: 'ab'",
  },
  {
    template: "{{ and }}",
    data: null,
    error:
      'template: t:1:3: executing "t" at <and>: wrong number of args for and: want at least 1 got 0',
  },
  {
    template: "{{ not 1 2 }}",
    data: null,
    error: 'template: t:1:3: executing "t" at <not>: wrong number of args for not: want 1 got 2',
  },
  {
    template: "{{ .A.C }}",
    data: { "A": { "B": 1 } },
    missingKey: "error",
    error: 'template: t:1:5: executing "t" at <.A.C>: map has no entry for key "C"',
  },
  {
    template: "{{ .A.B.C }}",
    data: { "A": {} },
    missingKey: "error",
    error: 'template: t:1:5: executing "t" at <.A.B.C>: map has no entry for key "B"',
  },
];

Deno.test("Go's constructs render as Go's text/template renders them", () => {
  for (const c of GO_OUTPUTS) {
    const template = goTemplate("t", c.template, c.missingKey ? { missingKey: c.missingKey } : {});
    assert.equal(template.execute(c.data), c.want, c.template);
  }
});

Deno.test("bad templates fail with Go's error texts", () => {
  for (const c of GO_ERRORS) {
    assert.throws(
      () =>
        goTemplate("t", c.template, c.missingKey ? { missingKey: c.missingKey } : {}).execute(
          c.data,
        ),
      (err: Error) => {
        assert.ok(
          err instanceof TemplateParseError || err instanceof TemplateExecError,
          c.template,
        );
        assert.equal(err.message, c.error, c.template);
        return true;
      },
    );
  }
});

Deno.test("numbers compare across int and float (data has no Go int/float distinction)", () => {
  assert.equal(goTemplate("t", "{{ gt 2.5 1 }} {{ eq .A 2 }}").execute({ A: 2 }), "true true");
});

Deno.test("custom delimiters and an error naming the template", () => {
  const t = goTemplate("x.tpl", "[[ .A ]] {{ .A }}", { leftDelim: "[[", rightDelim: "]]" });
  assert.equal(t.execute({ A: 1 }), "1 {{ .A }}");
  assert.throws(
    () => goTemplate("x.tpl", "a\nb [[ if ]]", { leftDelim: "[[", rightDelim: "]]" }),
    { message: "template: x.tpl:2: missing value for if" },
  );
});

const VARIABLE: TemplateVariable = {
  Namespace: "default",
  Path: "nomad/jobs/web",
  Items: { password: "s3cret", user: "admin" },
  CreateIndex: 5,
  ModifyIndex: 7,
  CreateTime: 1,
  ModifyTime: 2,
};

const SERVICES: TemplateService[] = [
  {
    ID: "_nomad-task-a",
    Name: "db",
    Namespace: "default",
    NodeID: "n1",
    Datacenter: "dc1",
    JobID: "db",
    AllocID: "a1",
    Tags: ["primary"],
    Address: "10.0.0.1",
    Port: 5432,
  },
  {
    ID: "_nomad-task-b",
    Name: "db",
    Namespace: "default",
    NodeID: "n2",
    Datacenter: "dc1",
    JobID: "db",
    AllocID: "a2",
    Tags: ["replica"],
    Address: "10.0.0.2",
    Port: 5433,
  },
];

function data(entries: [string, DependencyValue][]): DependencyData {
  return new Map(entries.map(([k, v]) => [k, { value: v, index: 10 }]));
}

const ALL_DATA = data([
  ["nomad.var.block(nomad/jobs/web@default.global)", VARIABLE],
  ["nomad.var.get(nomad/jobs/web@default.global)", VARIABLE],
  ["nomad.var.get(nomad/jobs/none@default.global)", null],
  ["nomad.var.list(nomad/jobs@default.global)", [VARIABLE]],
  ["nomad.service(db@default.global)", SERVICES],
  ["nomad.service(primary.db@default.global)", [SERVICES[0]!]],
  ["nomad.services(@default.global)", [{
    Name: "db",
    Namespace: "default",
    Tags: ["primary", "replica"],
  }]],
]);

const NOW_MS = Date.UTC(2024, 0, 2, 3, 4, 5, 600);

function render(text: string, options: { errMissingKey?: boolean } = {}): string {
  return renderNomadTemplate(nomadTemplate("t", text, options), {
    env: { NOMAD_ALLOC_ID: "abc", "node.unique.name": "n1" },
    nowMs: NOW_MS,
    readFile: (path) => {
      if (path === "local/x.txt") return "file text";
      throw new Error(`open ${path}: no such file or directory`);
    },
    namespace: "default",
    data: ALL_DATA,
  }).output;
}

const FUNCTION_CASES: [string, string][] = [
  ['{{ env "NOMAD_ALLOC_ID" }}|{{ env "NOPE" }}|{{ env "node.unique.name" }}', "abc||n1"],
  ['{{ envOrDefault "NOPE" "d" }}', "d"],
  ['{{ file "local/x.txt" }}', "file text"],
  ["{{ timestamp }}", "2024-01-02T03:04:05Z"],
  ['{{ timestamp "unix" }}', "1704164645"],
  [
    '{{ timestamp "2006-01-02 15:04:05.000 Mon Jan _2 3PM" }}',
    "2024-01-02 03:04:05.600 Tue Jan  2 3AM",
  ],
  ['{{ parseJSON `{"b":[1,2],"a":"<x>"}` | toJSON }}', '{"a":"\\u003cx\\u003e","b":[1,2]}'],
  [
    '{{ parseJSON `{"b":1,"a":{"c":true}}` | toJSONPretty }}',
    '{\n  "a": {\n    "c": true\n  },\n  "b": 1\n}',
  ],
  [
    '{{ parseJSON `{"b":[1,"x"],"a":{"c":"true"},"d":""}` | toYAML }}',
    'a:\n  c: "true"\nb:\n- 1\n- x\nd: ""',
  ],
  ['{{ range split "," "a,b,c" }}[{{ . }}]{{ end }}|{{ split "," "" | len }}', "[a][b][c]|0"],
  ['{{ "a,b" | split "," | join "-" }}', "a-b"],
  ['{{ "a.b.c" | replaceAll "." "/" }}', "a/b/c"],
  [
    '{{ "AbC" | toLower }} {{ "AbC" | toUpper }} {{ "hello world" | toTitle }}',
    "abc ABC Hello World",
  ],
  ['[{{ "  x  " | trimSpace }}] [{{ trim "  y " }}] [{{ "!!z!" | trim "!" }}]', "[x] [y] [z]"],
  [
    '{{ "foobar" | contains "oba" }} {{ contains "x" "foobar" }} {{ .Tags | contains "b" }}',
    "true false false",
  ],
  ['{{ "foobar" | hasPrefix "foo" }} {{ "foobar" | hasSuffix "foo" }}', "true false"],
  ['{{ parseInt "-42" | add 2 }} {{ parseFloat "1.5" }} {{ parseBool "T" }}', "-40 1.5 true"],
  ['{{ "hello" | base64Encode }} {{ "aGVsbG8=" | base64Decode }}', "aGVsbG8= hello"],
  ['{{ "" | default "d" }} {{ "v" | default "d" }} {{ sprig_default "d" 0 }}', "d v d"],
  ['{{ "x" | upper }} {{ "X" | lower }} {{ quote "a\\"b" }} {{ squote "a" }}', 'X x "a\\"b" \'a\''],
  [
    "{{ add 1 2 }} {{ 10 | subtract 3 }} {{ 4 | multiply 3 }} {{ 10 | divide 3 }} {{ 10 | modulo 3 }} {{ 1.5 | add 1 }}",
    "3 7 12 3 1 2.5",
  ],
  ["{{ range loop 3 }}{{ . }}{{ end }} {{ range loop 2 5 }}{{ . }}{{ end }}", "012 234"],
  ['{{ with nomadVar "nomad/jobs/web" }}{{ .user }}:{{ .password }}{{ end }}', "admin:s3cret"],
  [
    '{{ range $k, $v := nomadVar "nomad/jobs/web" }}{{ $k }}={{ $v }};{{ end }}',
    "password=s3cret;user=admin;",
  ],
  [
    '{{ with nomadVar "nomad/jobs/web" }}{{ .Parent.Path }} {{ .Keys }} {{ .password.Key }}{{ end }}',
    "nomad/jobs/web [password user] password",
  ],
  ['{{ nomadVarExists "nomad/jobs/web" }} {{ nomadVarExists "nomad/jobs/none" }}', "true false"],
  [
    '{{ range nomadVarList "nomad/jobs" }}{{ .Path }}@{{ .Namespace }}{{ end }}',
    "nomad/jobs/web@default",
  ],
  [
    '{{ range nomadService "db" }}{{ .Address }}:{{ .Port }} {{ end }}',
    "10.0.0.1:5432 10.0.0.2:5433 ",
  ],
  ['{{ range nomadService "primary.db" }}{{ .Address }}{{ end }}', "10.0.0.1"],
  ['{{ nomadService 1 "k" "db" | len }}', "1"],
  ["{{ range nomadServices }}{{ .Name }} {{ .Tags }}{{ end }}", "db [primary replica]"],
];

Deno.test("consul-template functions and Nomad data sources render", () => {
  for (const [text, want] of FUNCTION_CASES) {
    assert.equal(render(text), want, text);
  }
});

const FUNCTION_ERRORS: [string, string][] = [
  [
    '{{ parseInt "x" }}',
    'template: t:1:3: executing "t" at <parseInt "x">: error calling parseInt: parseInt: strconv.ParseInt: parsing "x": invalid syntax',
  ],
  [
    '{{ parseBool "maybe" }}',
    'template: t:1:3: executing "t" at <parseBool "maybe">: error calling parseBool: parseBool: strconv.ParseBool: parsing "maybe": invalid syntax',
  ],
  [
    '{{ parseJSON "{" }}',
    'template: t:1:3: executing "t" at <parseJSON "{">: error calling parseJSON: parseJSON: Expected property name or \'}\' in JSON at position 1 (line 1 column 2)',
  ],
  [
    '{{ "%%%" | base64Decode }}',
    'template: t:1:11: executing "t" at <base64Decode>: error calling base64Decode: base64Decode: illegal base64 data at input byte 0',
  ],
  [
    '{{ file "/etc/x" }}',
    'template: t:1:3: executing "t" at <file "/etc/x">: error calling file: open /etc/x: no such file or directory',
  ],
  [
    "{{ divide 0 1 }}",
    'template: t:1:3: executing "t" at <divide 0 1>: error calling divide: divide: division by 0',
  ],
  [
    '{{ add "a" 1 }}',
    'template: t:1:3: executing "t" at <add "a" 1>: error calling add: add: unknown type for "a" (string)',
  ],
  ["{{ toLower 3 }}", 'template: t:1:11: executing "t" at <3>: expected string; found 3'],
  ["{{ toLower .N }}", 'template: t:1:11: executing "t" at <.N>: invalid value; expected string'],
  [
    '{{ env "A" "B" }}',
    'template: t:1:3: executing "t" at <env>: wrong number of args for env: want 1 got 2',
  ],
  [
    "{{ nomadVar }}",
    'template: t:1:3: executing "t" at <nomadVar>: wrong number of args for nomadVar: want 1 got 0',
  ],
  [
    '{{ nomadService "a b" }}',
    'template: t:1:3: executing "t" at <nomadService "a b">: error calling nomadService: nomadService: invalid format: "a b"',
  ],
  [
    "{{ .Missing }}",
    'template: t:1:3: executing "t" at <.Missing>: map has no entry for key "Missing"',
  ],
  ["{{ nope }}", 'template: t:1: function "nope" not defined'],
];

Deno.test("consul-template functions fail with Go-style error texts", () => {
  for (const [text, want] of FUNCTION_ERRORS) {
    const missingKey = text === "{{ .Missing }}";
    assert.throws(
      () => {
        const t = nomadTemplate("t", text, { errMissingKey: missingKey });
        const context = {
          env: {},
          nowMs: NOW_MS,
          readFile: (path: string) => {
            throw new Error(`open ${path}: no such file or directory`);
          },
          namespace: "default",
          data: ALL_DATA,
        };
        if (missingKey) t.execute({});
        else renderNomadTemplate(t, context);
      },
      { message: want },
      text,
    );
  }
});

Deno.test("a render records the data it used and what it still lacks", () => {
  const t = nomadTemplate(
    "t",
    '{{ with nomadVar "nomad/jobs/web@prod" }}{{ .user }}{{ end }}{{ range nomadService "db" }}x{{ end }}',
  );
  const context = { env: {}, nowMs: 0, readFile: () => "", namespace: "default" };
  const first = renderNomadTemplate(t, { ...context, data: new Map() });
  assert.deepEqual([...first.missing.keys()], [
    "nomad.var.block(nomad/jobs/web@prod.global)",
    "nomad.service(db@default.global)",
  ]);
  // A variable that does not exist keeps nomadVar blocked; an empty service list does not.
  const second = renderNomadTemplate(t, {
    ...context,
    data: data([
      ["nomad.var.block(nomad/jobs/web@prod.global)", null],
      ["nomad.service(db@default.global)", []],
    ]),
  });
  assert.deepEqual([...second.missing.keys()], ["nomad.var.block(nomad/jobs/web@prod.global)"]);
  const third = renderNomadTemplate(t, {
    ...context,
    data: data([
      ["nomad.var.block(nomad/jobs/web@prod.global)", { ...VARIABLE, Namespace: "prod" }],
      ["nomad.service(db@default.global)", []],
    ]),
  });
  assert.equal(third.missing.size, 0);
  assert.equal(third.output, "admin");
  assert.equal(
    dependencyKey({ kind: "variableList", prefix: "a", namespace: "default" }),
    "nomad.var.list(a@default.global)",
  );
});
