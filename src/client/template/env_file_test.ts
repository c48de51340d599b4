import assert from "node:assert/strict";
import { MAX_ENV_FILE_VARIABLES, parseEnvFile } from "./env_file.ts";

Deno.test("env files parse as go-envparse reads them", () => {
  const text = [
    "# comment",
    "",
    "A=1",
    "export B = two words  ",
    'C="quoted \\"x\\"\\nnext" # trailing',
    "D='single $literal \\n'",
    "E=value # comment",
    "F=",
    "G=a=b",
  ].join("\n");
  assert.deepEqual(parseEnvFile(text), {
    A: "1",
    B: "two words",
    C: 'quoted "x"\nnext',
    D: "single $literal \\n",
    E: "value",
    F: "",
    G: "a=b",
  });
});

Deno.test("env files with bad lines are refused naming the line", () => {
  assert.throws(() => parseEnvFile("A=1\nnot a pair"), { message: "line 2: missing =" });
  assert.throws(() => parseEnvFile("1A=x"), { message: 'line 1: invalid key "1A"' });
  assert.throws(() => parseEnvFile('A="open'), { message: "line 1: unterminated quoted value" });
  assert.throws(() => parseEnvFile("A='open"), { message: "line 1: unterminated quoted value" });
  assert.throws(() => parseEnvFile('A="x" y'), {
    message: "line 1: unexpected text after quoted value",
  });
  const many = Array.from({ length: MAX_ENV_FILE_VARIABLES + 1 }, (_, i) => `K${i}=v`).join("\n");
  assert.throws(() => parseEnvFile(many), RangeError);
});
