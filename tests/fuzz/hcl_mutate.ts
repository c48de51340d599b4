/**
 * Seeded mutations of job files for the parser fuzz test, and the rule the
 * parser must keep: return a job or throw a positioned error, nothing else.
 */

import { randomInt, type Rng, seededRng } from "../../src/core/rng.ts";
import { HclSyntaxError, tokenize } from "../../src/hcl/mod.ts";
import { JobspecError, parseJob } from "../../src/jobspec/mod.ts";

/** Characters that mean something to HCL, favoured when inserting bytes. */
const SPECIAL = '{}[]()"$%~<>=!?:.,*/#\\\n\t -+&|0123456789abcEOF';
const SNIPPETS = [
  "${",
  "%{",
  "%{ if true }",
  "%{ endif }",
  "%{ for x in [1] }",
  "%{ endfor }",
  "<<EOF\n",
  "<<-EOF\n",
  "\nEOF\n",
  "[for x in [1,2] : x]",
  "{for k, v in {a=1} : k => v...}",
  "[*]",
  ".*",
  "...",
  'dynamic "x" {',
  "/*",
  "*/",
  "null",
  "var.",
  "local.",
  "attr.kernel.name",
  "1e999",
  "0x",
  '"\\u{"',
  "\u00e9\u{1f600}",
];

/** One mutated job file. */
export interface Mutant {
  readonly seed: number;
  readonly file: string;
  readonly source: string;
}

/** Applies 1–4 seeded byte or token mutations to one of `corpus`. */
export function mutate(
  seed: number,
  corpus: readonly { file: string; source: string }[],
): Mutant {
  const rng = seededRng(seed);
  const base = corpus[randomInt(rng, 0, corpus.length - 1)]!;
  let source = base.source;
  const rounds = randomInt(rng, 1, 4);
  for (let i = 0; i < rounds; i++) {
    source = rng.next() < 0.5 ? mutateBytes(source, rng) : mutateTokens(source, rng);
  }
  return { seed, file: base.file, source };
}

function mutateBytes(source: string, rng: Rng): string {
  const at = randomInt(rng, 0, source.length);
  const len = randomInt(rng, 1, 8);
  switch (randomInt(rng, 0, 5)) {
    case 0:
      return source.slice(0, at) + source.slice(at + len);
    case 1:
      return source.slice(0, at) + SPECIAL[randomInt(rng, 0, SPECIAL.length - 1)] +
        source.slice(at);
    case 2:
      return source.slice(0, at) + SNIPPETS[randomInt(rng, 0, SNIPPETS.length - 1)] +
        source.slice(at);
    case 3: {
      const from = randomInt(rng, 0, source.length);
      return source.slice(0, at) + source.slice(from, from + len * 4) + source.slice(at);
    }
    case 4: {
      const open = ["[", "(", "{", "${", '"${'][randomInt(rng, 0, 4)]!;
      return source.slice(0, at) + open.repeat(randomInt(rng, 50, 600)) + source.slice(at);
    }
    default:
      return source.slice(0, at) +
        String.fromCharCode(randomInt(rng, 0, 0x2ff)) + source.slice(at + 1);
  }
}

function mutateTokens(source: string, rng: Rng): string {
  let tokens: string[];
  try {
    tokens = tokenize(source, "fuzz.hcl").map((t) => t.text);
  } catch {
    return mutateBytes(source, rng);
  }
  if (tokens.length === 0) return source;
  const i = randomInt(rng, 0, tokens.length - 1);
  const j = randomInt(rng, 0, tokens.length - 1);
  switch (randomInt(rng, 0, 3)) {
    case 0:
      tokens.splice(i, 1);
      break;
    case 1:
      tokens.splice(i, 0, tokens[j]!);
      break;
    case 2:
      [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
      break;
    default:
      tokens.splice(i, randomInt(rng, 1, 6));
  }
  return tokens.join(" ");
}

/**
 * Parses `mutant`; returns null when the parser kept its contract (a job, or
 * an error naming file:line:column), else what went wrong.
 */
export function checkMutant(mutant: Mutant): string | null {
  try {
    parseJob(mutant.source, { filename: mutant.file });
    return null;
  } catch (error) {
    if (error instanceof HclSyntaxError && /:\d+:\d+: /.test(error.message)) return null;
    if (error instanceof JobspecError) return null;
    const e = error as Error;
    return `${e?.name ?? typeof error}: ${e?.message ?? String(error)}\n${e?.stack ?? ""}`;
  }
}
