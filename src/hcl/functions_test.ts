import { deepStrictEqual, match, strictEqual, throws } from "node:assert/strict";
import { evaluate } from "./evaluator.ts";
import { formatString } from "./format.ts";
import { type FunctionHost, functionLibrary, STANDARD_FUNCTIONS } from "./functions.ts";
import { bcryptHash } from "./fn/bcrypt.ts";
import { globRegExp } from "./fn/filesystem.ts";
import { parseExpressionText } from "./parse_expression.ts";
import type { Value } from "./values.ts";

const FILES: Record<string, string> = {
  "a.txt": "hello\n",
  "d/b.txt": "x",
  "d/c.cfg": "y",
  "tpl/app.tpl":
    "name=${name}\n%{ for s in servers ~}\nserver ${upper(s)}\n%{ endfor ~}\ndir=${NOMAD_ALLOC_DIR}\n",
  "tpl/bad.tpl": "line one\n${nope(1)}\n",
};

const HOST: FunctionHost = {
  readFile: (path) => {
    const text = FILES[path.replace(/^\.\//, "")];
    if (text === undefined) throw new Error(`not found: ${path}`);
    return text;
  },
  statFile: (path) => {
    const p = path.replace(/^\.\//, "");
    if (p in FILES) return "file";
    return Object.keys(FILES).some((f) => f.startsWith(`${p}/`)) ? "directory" : undefined;
  },
  readDirectory: (path) => {
    const prefix = path === "." ? "" : `${path.replace(/^\.\//, "")}/`;
    const names = new Map<string, boolean>();
    for (const f of Object.keys(FILES)) {
      if (!f.startsWith(prefix)) continue;
      const rest = f.slice(prefix.length);
      names.set(rest.split("/")[0]!, rest.includes("/"));
    }
    if (names.size === 0) throw new Error(`no directory ${path}`);
    return [...names].map(([name, isDirectory]) => ({ name, isDirectory }));
  },
  workingDirectory: "/work",
  homeDirectory: "/home/nomad",
  randomBytes: (n) => new Uint8Array(n).fill(0xab),
};

const FUNCTIONS = functionLibrary(HOST);

const ev = (src: string, functions = FUNCTIONS): Value =>
  evaluate(parseExpressionText(src, "f.hcl"), { variables: { local: { n: 1 } }, functions });

/** Asserts that evaluating `src` fails with a message matching `pattern`. */
const fails = (src: string, pattern: RegExp) => throws(() => ev(src), pattern);

Deno.test("templatefile renders a file with the given vars; other references stay for the client", () => {
  strictEqual(
    ev('templatefile("tpl/app.tpl", { name = "web", servers = ["a", "b"] })'),
    "name=web\nserver A\nserver B\ndir=${NOMAD_ALLOC_DIR}\n",
  );
  fails(
    'templatefile("tpl/bad.tpl", {})',
    /^HclSyntaxError: tpl\/bad\.tpl:2:3: Call to unknown function/,
  );
  fails('templatefile("tpl/app.tpl", "x")', /Invalid vars value/);
  fails('templatefile("missing.tpl", {})', /no file exists at missing\.tpl/);
});

Deno.test("the library has exactly the functions Nomad's job parser offers, plus templatefile", () => {
  deepStrictEqual(Object.keys(STANDARD_FUNCTIONS), [
    "abs",
    "abspath",
    "base64decode",
    "base64encode",
    "basename",
    "bcrypt",
    "can",
    "ceil",
    "chomp",
    "chunklist",
    "cidrhost",
    "cidrnetmask",
    "cidrsubnet",
    "cidrsubnets",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "convert",
    "csvdecode",
    "dirname",
    "distinct",
    "element",
    "file",
    "filebase64",
    "fileexists",
    "fileset",
    "flatten",
    "floor",
    "format",
    "formatdate",
    "formatlist",
    "indent",
    "index",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "log",
    "lookup",
    "lower",
    "max",
    "md5",
    "merge",
    "min",
    "parseint",
    "pathexpand",
    "pow",
    "range",
    "regex_replace",
    "replace",
    "reverse",
    "rsadecrypt",
    "setintersection",
    "setproduct",
    "setunion",
    "sha1",
    "sha256",
    "sha512",
    "signum",
    "slice",
    "sort",
    "split",
    "strlen",
    "strrev",
    "substr",
    "templatefile",
    "timeadd",
    "title",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "try",
    "upper",
    "urlencode",
    "uuidv4",
    "uuidv5",
    "values",
    "yamldecode",
    "yamlencode",
    "zipmap",
  ]);
});

Deno.test("string functions transform text as go-cty does", () => {
  strictEqual(ev('upper("abc")'), "ABC");
  strictEqual(ev('lower("ABC")'), "abc");
  strictEqual(ev('upper("ß")'), "ß");
  strictEqual(ev("upper(1)"), "1");
  strictEqual(ev('trimspace("  a b \\n")'), "a b");
  strictEqual(ev('replace("1 + 2 + 3", "+", "-")'), "1 - 2 - 3");
  strictEqual(ev('replace("hello", "/l+/", "L")'), "hello");
  strictEqual(ev('regex_replace("-ab-axxb-", "a(x*)b", "$1W")'), "---");
  strictEqual(ev('regex_replace("-ab-axxb-", "a(x*)b", "<$1>")'), "-<>-<xx>-");
  strictEqual(ev('regex_replace("abc", "(?P<x>b)", "[$x]")'), "a[b]c");
  strictEqual(ev('regex_replace("aaa", "(?i)A", "$$")'), "$$$");
  strictEqual(ev('title("hello wORLD-foo_bar")'), "Hello WORLD-Foo_bar");
  strictEqual(ev('substr("hello", 1, 3)'), "ell");
  strictEqual(ev('substr("hello", -3, -1)'), "llo");
  strictEqual(ev('substr("hello", 10, 1)'), "");
  strictEqual(ev('trimprefix("v1.2", "v")'), "1.2");
  strictEqual(ev('trimsuffix("a.txt", ".txt")'), "a");
  strictEqual(ev('trim("?!hello?!", "!?")'), "hello");
  strictEqual(ev('chomp("x\\r\\n\\n")'), "x");
  strictEqual(ev('strrev("abc")'), "cba");
  strictEqual(ev('reverse("abc")'), "cba");
  strictEqual(ev('strlen("héllo")'), 5);
  strictEqual(ev('indent(2, "a\\nb\\n")'), "a\n  b\n  ");
  strictEqual(ev('join("-", ["a", 1, true], ["b"])'), "a-1-true-b");
  deepStrictEqual(ev('split(",", "")'), [""]);
  deepStrictEqual(ev('split("", "abc")'), ["a", "b", "c"]);
  deepStrictEqual(ev('formatlist("%s-%d", ["a", "b"], [1, 2])'), ["a-1", "b-2"]);
  deepStrictEqual(ev('formatlist("%s-%s", ["a", "b"], "x")'), ["a-x", "b-x"]);
  deepStrictEqual(ev('formatlist("x")'), ["x"]);
  fails('join("-")', /at least one list is required/);
  fails('regex_replace("ab", "(", "b")', /error parsing regexp/);
  fails('formatlist("%s", ["a"], ["x", "y"])', /argument 2 has length 2, which is inconsistent/);
});

Deno.test("format supports Go's verbs, flags, widths and argument indexes", () => {
  strictEqual(ev('format("%s-%d", "web", 3)'), "web-3");
  strictEqual(
    formatString("%05d|%-4s|%.2f|%t|%q|%v|%%", [42, "ab", 3.14159, true, "x", [1]]),
    '00042|ab  |3.14|true|"x"|[1]|%',
  );
  strictEqual(formatString("%x %X %o %b", [255, 255, 8, 5]), "ff FF 10 101");
  strictEqual(
    formatString("%e|%.2e|%G", [1000000, 12345.678, 1e-10]),
    "1.000000e+06|1.23e+04|1E-10",
  );
  strictEqual(
    formatString("%v|%v|%v|%v", [1234567, 100000, 1e20, 1.5]),
    "1.234567e+06|100000|1e+20|1.5",
  );
  strictEqual(formatString("%#v|%v", ["a", { b: 1, a: "x" }]), '"a"|{"a":"x","b":1}');
  strictEqual(formatString("%[2]s %[1]s", ["a", "b"]), "b a");
  strictEqual(
    formatString("%8.3s|%+d|% d|%08.3f", ["abcdef", 5, 5, -3.14159]),
    "     abc|+5| 5|-003.142",
  );
  strictEqual(formatString("%v|%5t|", [null, true]), "null|true|");
  throws(() => formatString("%s %s", ["a"]), /not enough arguments for "%s" at 3: need index 2/);
  throws(
    () => formatString("%d", [1.5]),
    /unsupported value for "%d" at 0: an integer is required/,
  );
  throws(() => formatString("%s", [null]), /null value cannot be formatted/);
  throws(() => formatString("%c", [65]), /unsupported format verb 'c'/);
  throws(() => formatString("100%", []), /invalid format string starting at offset 4/);
  fails(
    'format("%s", "a", "b")',
    /Invalid function argument; Invalid value for "args" parameter: too many arguments/,
  );
});

Deno.test("collection functions unify element types and order sets as cty does", () => {
  deepStrictEqual(ev("chunklist([1, 2, 3], 2)"), [[1, 2], [3]]);
  deepStrictEqual(ev("chunklist([1, 2, 3], 0)"), [[1, 2, 3]]);
  strictEqual(ev('coalesce(null, "", "b")'), "");
  strictEqual(ev('coalesce(1, "a")'), "1");
  deepStrictEqual(ev('coalescelist([], ["a"])'), ["a"]);
  deepStrictEqual(ev('compact(["a", "", null, "b"])'), ["a", "b"]);
  deepStrictEqual(ev('concat([1], ["a"])'), [1, "a"]);
  strictEqual(ev('contains(["a", 1], "1")'), false);
  strictEqual(ev("contains([1], 1)"), true);
  deepStrictEqual(ev('distinct([1, "1", 2, 1])'), ["1", "2"]);
  strictEqual(ev('element(["a", "b"], -1)'), "b");
  strictEqual(ev('element(["a", "b"], 3)'), "b");
  deepStrictEqual(ev("flatten([[1, [2]], 3, []])"), [1, 2, 3]);
  strictEqual(ev("index([5, 6], 1)"), 6);
  deepStrictEqual(ev("keys({ b = 1, a = 2 })"), ["a", "b"]);
  deepStrictEqual(ev('values({ b = 1, a = "x" })'), ["x", 1]);
  strictEqual(ev("length([1, 2])"), 2);
  strictEqual(ev('lookup({ a = 1 }, "b", "d")'), "d");
  deepStrictEqual(ev('merge({ a = 1 }, { b = "x" }, null)'), { a: 1, b: "x" });
  deepStrictEqual(ev("range(3)"), [0, 1, 2]);
  deepStrictEqual(ev("range(4, 1)"), [4, 3, 2]);
  deepStrictEqual(ev("range(0, 1, 0.25)"), [0, 0.25, 0.5, 0.75]);
  deepStrictEqual(ev('slice(["a", "b", "c"], 1, 2)'), ["b"]);
  deepStrictEqual(ev('sort(["b", "a", 10, 9])'), ["10", "9", "a", "b"]);
  deepStrictEqual(ev('zipmap(["a", "a"], [1, 2])'), { a: 2 });
  deepStrictEqual(ev('setproduct(["a", "b"], [1, 2])'), [["a", 1], ["a", 2], ["b", 1], ["b", 2]]);
  deepStrictEqual(ev('setunion(["b", "a"], ["c", "a"])'), ["a", "b", "c"]);
  deepStrictEqual(ev("setunion([3, 1], [2, 10])"), [1, 2, 3, 10]);
  deepStrictEqual(ev('setintersection(["a", "b", "c"], ["b", "c", "d"], ["c", "b"])'), ["b", "c"]);
  fails('length("abc")', /collection must be a list, a map or a tuple/);
  fails('index(["a"], "a")', /key for tuple must be number/);
  fails("index([5, 6], 5)", /key must be between 0 and 2 inclusive/);
  fails("element([], 0)", /cannot use element function with an empty list/);
  fails("coalesce(null)", /no non-null arguments/);
  fails('concat([1], "a")', /all arguments must be lists or tuples; got string/);
  fails("merge({ a = 1 }, 3)", /arguments must be maps or objects, got "number"/);
  fails("range(1, 4, -1)", /end must be less than start when step is negative/);
  fails("range(0, 1, 0)", /more than 1024 values were generated/);
  fails("slice([1, 2], 1, 5)", /"end_index" parameter: end index must not be greater/);
  fails('zipmap(["a"], [1, 2])', /number of keys \(1\) does not match number of values \(2\)/);
  fails('setproduct(["a"])', /at least two arguments are required/);
  fails("keys([1])", /Invalid value for "inputMap" parameter: must have map or object type/);
});

Deno.test("numeric functions", () => {
  strictEqual(ev("abs(-1.5)"), 1.5);
  strictEqual(ev("ceil(1.2)"), 2);
  strictEqual(ev("floor(-1.2)"), -2);
  strictEqual(ev("log(16, 2)"), 4);
  strictEqual(ev('max(1, "5", 3)'), 5);
  strictEqual(ev("min(4, 2)"), 2);
  strictEqual(ev("pow(2, 10)"), 1024);
  strictEqual(ev("signum(-3)"), -1);
  strictEqual(ev("signum(0)"), 0);
  strictEqual(ev('parseint("ff", 16)'), 255);
  strictEqual(ev('parseint("-101", 2)'), -5);
  strictEqual(ev('parseint("Zz", 62)'), 3817);
  fails("min()", /must pass at least one number/);
  fails('parseint("0x10", 16)', /cannot parse "0x10" as a base 16 integer/);
  fails('parseint("1", 1)', /base must be a whole number between 2 and 62 inclusive/);
  fails("parseint(10, 10)", /first argument must be a string, not number/);
  fails('abs("x")', /Invalid value for "num" parameter: a number is required/);
  fails("abs(null)", /argument must not be null/);
});

Deno.test("encoding functions", () => {
  strictEqual(ev('base64encode("héllo")'), "aMOpbGxv");
  strictEqual(ev('base64decode("aGVsbG8=")'), "hello");
  strictEqual(ev('urlencode("a b&c=d/é~_.-")'), "a+b%26c%3Dd%2F%C3%A9~_.-");
  deepStrictEqual(ev('csvdecode("a,b\\n1,2\\n3,4")'), [{ a: "1", b: "2" }, { a: "3", b: "4" }]);
  deepStrictEqual(ev('csvdecode("\\"x y\\",b\\n\\"1\\"\\"\\",2")'), [{ "x y": '1"', b: "2" }]);
  deepStrictEqual(ev('csvdecode("a,b\\n")'), []);
  deepStrictEqual(ev('jsondecode("{\\"a\\":[1,true,null]}")'), { a: [1, true, null] });
  strictEqual(
    ev('jsonencode({ b = 1, a = [true, null], h = "<&>" })'),
    '{"a":[true,null],"b":1,"h":"\\u003c\\u0026\\u003e"}',
  );
  strictEqual(ev("jsonencode(1e21)"), "1000000000000000000000");
  fails('base64decode("aGVsbG8")', /failed to decode base64 data 'aGVsbG8'/);
  fails('base64decode("/w==")', /not valid UTF-8/);
  fails('csvdecode("a,b\\n1")', /CSV parse error on line 2: wrong number of fields/);
  fails('jsondecode("bad")', /invalid character 'b' looking for beginning of value/);
  deepStrictEqual(ev('yamldecode("a: yes\\nb: [1, x]\\nc: ~\\n")'), {
    a: true,
    b: [1, "x"],
    c: null,
  });
  strictEqual(ev('yamlencode({ b = [1], a = "x\\ny" })'), '"a": |-\n  x\n  y\n"b":\n- 1\n');
  strictEqual(ev("yamlencode(true)"), "true\n...\n");
  fails('yamldecode("a: [1,\\n")', /on line 2: Flow sequence/);
});

Deno.test("hash and crypto functions", () => {
  strictEqual(ev('md5("hello")'), "5d41402abc4b2a76b9719d911017c592");
  strictEqual(ev('sha1("hello")'), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
  strictEqual(
    ev('sha256("hello")'),
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
  );
  match(ev('sha512("a")') as string, /^1f40fc92da241694750979ee6cf582f2d5d7d28e1833/);
  strictEqual(ev('uuidv5("dns", "example.com")'), "cfbff0d1-9375-5685-968c-48ce8b15ae17");
  strictEqual(
    ev('uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "x")'),
    "05b16a01-46c6-56dd-bd6e-c6dfb4a1427a",
  );
  fails('uuidv5("bad", "x")', /doesn't support namespace bad \(invalid UUID length: 3\)/);
  fails('rsadecrypt("eA==", "x")', /failed to parse key: no key found/);
});

Deno.test("uuidv4 and bcrypt draw from the injected randomness", () => {
  strictEqual(ev("uuidv4()"), "abababab-abab-4bab-abab-abababababab");
  match(ev('bcrypt("hello", 4)') as string, /^\$2a\$04\$[./A-Za-z0-9]{53}$/);
  match(ev('bcrypt("hello", 2)') as string, /^\$2a\$10\$/);
  fails('bcrypt("hello", 32)', /cost 32 is outside allowed inclusive range 4\.\.31/);
  throws(() => ev("uuidv4()", STANDARD_FUNCTIONS), /needs a source of randomness/);
});

Deno.test("bcrypt matches a hash made by Nomad", () => {
  // Salt "BuZmvndZ4MBCx6GRAn3esu" in bcrypt's base64, decoded.
  const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const expected = "$2a$04$BuZmvndZ4MBCx6GRAn3esuwrvpZLpmcD3CiKffYPcmLnVsNWLMWPa";
  const bytes: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const c of expected.slice(7, 29)) {
    acc = (acc << 6) | alphabet.indexOf(c);
    bits += 6;
    if (bits >= 8) bytes.push((acc >> (bits -= 8)) & 0xff);
  }
  strictEqual(bcryptHash(new TextEncoder().encode("hello"), 4, new Uint8Array(bytes)), expected);
});

Deno.test("ip network functions handle IPv4 and IPv6", () => {
  strictEqual(ev('cidrhost("10.12.112.0/20", 268)'), "10.12.113.12");
  strictEqual(ev('cidrhost("10.12.112.0/20", -1)'), "10.12.127.255");
  strictEqual(ev('cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)'), "fd00:fd12:3456:7890::22");
  strictEqual(ev('cidrnetmask("172.16.0.0/12")'), "255.240.0.0");
  strictEqual(ev('cidrnetmask("::/64")'), "ffff:ffff:ffff:ffff::");
  strictEqual(ev('cidrsubnet("172.16.0.0/12", 4, 2)'), "172.18.0.0/16");
  strictEqual(
    ev('cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)'),
    "fd00:fd12:3456:7800:a200::/72",
  );
  deepStrictEqual(ev('cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)'), [
    "10.1.0.0/20",
    "10.1.16.0/20",
    "10.1.32.0/24",
    "10.1.48.0/20",
  ]);
  fails('cidrhost("10.0.0.0/30", 4)', /prefix of 30 does not accommodate a host numbered 4/);
  fails(
    'cidrsubnet("10.0.0.0/30", 4, 1)',
    /insufficient address space to extend prefix of 30 by 4/,
  );
  fails(
    'cidrsubnet("10.0.0.0/24", 2, 4)',
    /prefix extension of 2 does not accommodate a subnet numbered 4/,
  );
  fails(
    'cidrsubnets("10.0.0.0/30", 1, 1, 1)',
    /not enough remaining address space .* after 10\.0\.0\.2\/31/,
  );
  fails('cidrnetmask("10.0.0.0")', /invalid CIDR address: 10\.0\.0\.0/);
});

Deno.test("date and time functions", () => {
  strictEqual(
    ev('formatdate("YYYY-MM-DD hh:mm:ss ZZZ", "2018-01-02T23:12:01Z")'),
    "2018-01-02 23:12:01 UTC",
  );
  strictEqual(
    ev('formatdate("EEEE, DD-MMM-YY HH:mm:ss ZZZZZ", "2018-01-02T23:12:01.5+05:30")'),
    "Tuesday, 02-Jan-18 11:12:01 +05:30",
  );
  strictEqual(
    ev(`formatdate("'o''clock' aa AA h H", "2018-01-02T00:04:05Z")`),
    "o'clock am AM 0 12",
  );
  strictEqual(ev('formatdate("ZZZ|Z", "2018-01-02T23:12:01-08:00")'), "-0800|-08:00");
  strictEqual(ev('timeadd("2017-11-22T00:00:00Z", "-1h30m")'), "2017-11-21T22:30:00Z");
  strictEqual(ev('timeadd("2017-11-22T00:00:00+01:00", "1.5s")'), "2017-11-22T00:00:01+01:00");
  strictEqual(ev('timeadd("2017-11-22T00:00:00.25Z", "1ms")'), "2017-11-22T00:00:00Z");
  fails('formatdate("YYYY", "2018-01-02")', /missing required time introducer 'T'/);
  fails('formatdate("Y", "2018-01-02T03:04:05Z")', /year must either be "YY" or "YYYY"/);
  fails(`formatdate("'", "2018-01-02T03:04:05Z")`, /unterminated literal '/);
  fails('timeadd("2017-11-22T00:00:00Z", "1d")', /time: unknown unit "d" in duration "1d"/);
});

Deno.test("filesystem functions read through the host", () => {
  strictEqual(ev('file("a.txt")'), "hello\n");
  strictEqual(ev('filebase64("a.txt")'), "aGVsbG8K");
  strictEqual(ev('fileexists("a.txt")'), true);
  strictEqual(ev('fileexists("nope")'), false);
  deepStrictEqual(ev('fileset(".", "**/*.txt")'), ["a.txt", "d/b.txt"]);
  deepStrictEqual(ev('fileset("d", "*")'), ["b.txt", "c.cfg"]);
  deepStrictEqual(ev('fileset(".", "{a,d/b}.txt")'), ["a.txt", "d/b.txt"]);
  deepStrictEqual(ev('fileset("nope", "*")'), []);
  strictEqual(ev('abspath("x/../y")'), "/work/y");
  strictEqual(ev('abspath("/a/../b/")'), "/b");
  strictEqual(ev('basename("a/b/")'), "b");
  strictEqual(ev('basename("")'), ".");
  strictEqual(ev('dirname("a//b/../c/")'), "a/c");
  strictEqual(ev('dirname("a")'), ".");
  strictEqual(ev('pathexpand("~/x")'), "/home/nomad/x");
  strictEqual(ev('pathexpand("a/~")'), "a/~");
  fails('file("missing.txt")', /no file exists at missing\.txt/);
  fails('fileexists("d")', /d is not a regular file/);
  fails('fileset(".", "[")', /failed to glob pattern \(\[\): syntax error in pattern/);
  fails('pathexpand("~x")', /cannot expand user-specific home dir/);
  throws(() => ev('file("a.txt")', STANDARD_FUNCTIONS), /reading files is not available/);
  strictEqual(globRegExp("**/*.txt").test("a/b/c.txt"), true);
  strictEqual(globRegExp("*.txt").test("a/c.txt"), false);
});

Deno.test("can, try and convert evaluate their arguments lazily", () => {
  strictEqual(ev('try(upper([]), "d")'), "d");
  strictEqual(ev("try(local.missing, local.n)"), 1);
  strictEqual(ev("can(local.missing)"), false);
  strictEqual(ev("can(local.n)"), true);
  strictEqual(ev("convert(1, string)"), "1");
  deepStrictEqual(ev("convert([1, 2], list(string))"), ["1", "2"]);
  deepStrictEqual(ev("convert([3, 1, 3], set(number))"), [1, 3]);
  strictEqual(ev('can(convert("x", number))'), false);
  fails(
    "try(upper([]), local.missing)",
    /no expression succeeded:\n- Invalid function argument \(at f\.hcl:1,11-13\)/,
  );
  fails("try()", /at least one argument is required/);
  fails(
    "can(1, 2)",
    /^HclSyntaxError: f\.hcl:1:8: Too many function arguments; Function "can" expects only 1 argument\(s\)\./,
  );
  fails('convert("x", number)', /Invalid value for "value" parameter: a number is required/);
});

Deno.test("arity and argument errors are positioned like HCL's", () => {
  fails(
    "abs()",
    /^HclSyntaxError: f\.hcl:1:5: Not enough function arguments; Function "abs" expects 1 argument\(s\)\. Missing value for "num"\./,
  );
  fails("format()", /expects at least 1 argument\(s\)\. Missing value for "format"/);
  fails("upper(1, 2)", /^HclSyntaxError: f\.hcl:1:10: Too many function arguments/);
  fails(
    'lookup({ a = 1 }, "a", null)',
    /^HclSyntaxError: f\.hcl:1:24: Invalid function argument; Invalid value for "default" parameter: argument must not be null\./,
  );
  fails("nosuch()", /Call to unknown function/);
});
