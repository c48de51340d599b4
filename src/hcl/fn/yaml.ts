/** YAML functions: yamldecode and yamlencode. */

import type { HclFunction } from "../evaluator.ts";
import { defineFunction } from "./args.ts";

/** The YAML functions, by name. */
export const YAML_FUNCTIONS: Readonly<Record<string, HclFunction>> = {
  yamldecode: defineFunction("yamldecode", { params: ["src"] }, () => {
    throw new RangeError("yamldecode is not supported yet");
  }),
  yamlencode: defineFunction("yamlencode", { params: ["value"] }, () => {
    throw new RangeError("yamlencode is not supported yet");
  }),
};
