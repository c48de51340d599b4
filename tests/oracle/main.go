// Command oracle is a development tool, not part of the product or of CI.
//
// It runs HashiCorp Nomad's own job file parser (the jobspec2 package, used as
// a black box) so that the golden files in tests/fixtures/jobspecs record what
// real Nomad prints for `nomad job run -output`, and it reflects over the
// public API client types (github.com/hashicorp/nomad/api, MPL-2.0) to emit the
// wire shape of api.Job: field names, order and which fields are pointers.
//
//	go run . parse [-var k=v]... [-var-file f]... <job file>   # prints {"Job": ...}
//	go run . shape                                            # prints the api.Job shape
//	go run . fmt <file>                                       # prints the file as hclwrite formats it
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/hashicorp/nomad/api"
	"github.com/hashicorp/nomad/jobspec2"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: oracle parse|shape ...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "parse":
		parse(os.Args[2:])
	case "shape":
		shape()
	case "fmt":
		format(os.Args[2])
	case "acl":
		aclPolicy(os.Args[2])
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}

func parse(args []string) {
	var vars, varFiles []string
	for len(args) > 1 {
		switch args[0] {
		case "-var":
			vars = append(vars, args[1])
		case "-var-file":
			varFiles = append(varFiles, args[1])
		default:
			fmt.Fprintln(os.Stderr, "unknown flag", args[0])
			os.Exit(2)
		}
		args = args[2:]
	}
	path := args[0]
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "NOMAD_VAR_") {
			env = append(env, kv)
		}
	}
	job, err := jobspec2.ParseWithConfig(&jobspec2.ParseConfig{
		Path: path, Body: src, AllowFS: true, ArgVars: vars, VarFiles: varFiles, Envs: env, Strict: true,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, _ := json.MarshalIndent(struct{ Job *api.Job }{job}, "", "    ")
	fmt.Println(string(out))
}

// field is [GoName, JSONName, omitempty ("1" or ""), type reference].
type field [4]string

func shape() {
	types := map[string][]field{}
	var visit func(t reflect.Type) string
	visit = func(t reflect.Type) string {
		switch t.Kind() {
		case reflect.Pointer:
			return "*" + visit(t.Elem())
		case reflect.Slice:
			if t.Elem().Kind() == reflect.Uint8 {
				return "bytes"
			}
			return "[]" + visit(t.Elem())
		case reflect.Map:
			return "map[" + visit(t.Key()) + "]" + visit(t.Elem())
		case reflect.Interface:
			return "any"
		case reflect.Struct:
			if t.PkgPath() == "time" && t.Name() == "Time" {
				return "time"
			}
			name := t.Name()
			if _, seen := types[name]; seen {
				return name
			}
			types[name] = nil
			var fields []field
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if f.Anonymous {
					panic("embedded field " + f.Name + " in " + name)
				}
				if !f.IsExported() {
					continue
				}
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				parts := strings.Split(tag, ",")
				jsonName := f.Name
				if parts[0] != "" {
					jsonName = parts[0]
				}
				omit := ""
				for _, p := range parts[1:] {
					if p == "omitempty" {
						omit = "1"
					}
				}
				fields = append(fields, field{f.Name, jsonName, omit, visit(f.Type)})
			}
			types[name] = fields
			return name
		default:
			return t.Kind().String()
		}
	}
	visit(reflect.TypeOf(api.Job{}))
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Println("{")
	for i, n := range names {
		b, _ := json.Marshal(types[n])
		sep := ","
		if i == len(names)-1 {
			sep = ""
		}
		fmt.Printf("  %q: %s%s\n", n, b, sep)
	}
	fmt.Println("}")
}

// format checks the syntax like `nomad fmt` does, then prints hclwrite's formatting.
func format(path string) {
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos); diags.HasErrors() {
		fmt.Fprintln(os.Stderr, diags.Error())
		os.Exit(1)
	}
	os.Stdout.Write(hclwrite.Format(src))
}
