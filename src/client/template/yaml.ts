/** YAML as consul-template's `toYAML` writes it (yaml.v2 style: sorted keys, block style). */

const PLAIN_UNSAFE =
  /^$|^[\s\-?:,\[\]{}#&*!|>'"%@`~]|[\s]$|: | #|\n|^(true|false|yes|no|on|off|y|n|null|~)$|^[-+]?(\.?[0-9]|\.(inf|nan))/i;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return PLAIN_UNSAFE.test(value) ? JSON.stringify(value) : value;
  return String(value);
}

function isCollection(value: unknown): value is unknown[] | Record<string, unknown> {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === "object" && value !== null && Object.keys(value).length > 0;
}

function emptyCollection(value: unknown): string | null {
  if (Array.isArray(value) && value.length === 0) return "[]";
  if (
    typeof value === "object" && value !== null && !Array.isArray(value) &&
    Object.keys(value).length === 0
  ) {
    return "{}";
  }
  return null;
}

function lines(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (!isCollection(item)) return [`${indent}- ${emptyCollection(item) ?? scalar(item)}`];
      const inner = lines(item, indent + "  ");
      return [`${indent}- ${inner[0]!.trimStart()}`, ...inner.slice(1)];
    });
  }
  const record = value as Record<string, unknown>;
  return Object.keys(record).sort().flatMap((key) => {
    const item = record[key];
    const label = `${indent}${scalar(key)}:`;
    if (!isCollection(item)) return [`${label} ${emptyCollection(item) ?? scalar(item)}`];
    // yaml.v2 does not indent a sequence under a mapping key.
    return [label, ...lines(item, Array.isArray(item) ? indent : indent + "  ")];
  });
}

/**
 * YAML text of a JSON-like value, without a trailing newline.
 *
 * @example
 * ```ts
 * import { toYaml } from "./yaml.ts";
 * toYaml({ b: [1, 2], a: "x" }); // "a: x\nb:\n- 1\n- 2"
 * ```
 */
export function toYaml(value: unknown): string {
  if (!isCollection(value)) return emptyCollection(value) ?? scalar(value);
  return lines(value, "").join("\n");
}
