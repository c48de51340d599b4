package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/hashicorp/nomad/acl"
)

// aclPolicy parses an ACL policy file with Nomad's acl package (a black box)
// and prints the expanded policy as JSON, or {"Error": "..."} when it is
// rejected, so tests can compare our expansion of policy shorthands.
func aclPolicy(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	policy, err := acl.Parse(string(data), true)
	out := map[string]any{}
	if err != nil {
		out["Error"] = err.Error()
	} else {
		policy.Raw = ""
		out["Policy"] = policy
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
