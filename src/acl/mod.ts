/**
 * ACL policies: parse a policy document (HCL or JSON) into typed rules with
 * every `policy` shorthand expanded into capabilities. Pure.
 *
 * @example
 * ```ts
 * import { parseAclPolicy } from "./mod.ts";
 * const policy = parseAclPolicy('node {\n  policy = "read"\n}\n', "ops.hcl");
 * policy.Node?.Policy; // "read"
 * ```
 *
 * @module
 */
export {
  type AclPolicy,
  type CapabilityPolicy,
  type LevelPolicy,
  MAX_POLICY_BYTES,
  type NamedCapabilityPolicy,
  NAMESPACE_CAPABILITIES,
  NAMESPACE_IMPLIED_CAPABILITIES,
  NAMESPACE_POLICY_CAPABILITIES,
  type NamespacePolicy,
  parseAclPolicy,
  type PolicyDisposition,
  VARIABLES_CAPABILITIES,
  type VariablesPathPolicy,
  type VariablesPolicy,
} from "./policy.ts";
