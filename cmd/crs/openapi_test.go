package main

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIRequestFieldsAreDescribedAndBounded walks every request body of the served document
// and fails on a property without a description, a string without a length limit (or enum or
// format), a list without an item limit, or a whole number without a range; and on an operation
// that documents no error response.
func TestOpenAPIRequestFieldsAreDescribedAndBounded(t *testing.T) {
	t.Parallel()
	e := newHostileEnv(t)
	raw, err := json.Marshal(e.a.server.Doc)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var problems []string
	seen := map[string]bool{}
	var walk func(where string, s map[string]any, depth int)
	walk = func(where string, s map[string]any, depth int) {
		if depth > 8 {
			return
		}
		if ref, ok := s["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/components/schemas/")
			if seen[name] {
				return
			}
			seen[name] = true
			walk(name, e.schemas[name].(map[string]any), depth+1)
			return
		}
		for _, k := range []string{"allOf", "oneOf", "anyOf"} {
			if list, ok := s[k].([]any); ok {
				for _, x := range list {
					walk(where, x.(map[string]any), depth+1)
				}
			}
		}
		switch schemaType(s) {
		case "object":
			props, _ := s["properties"].(map[string]any)
			for name, p := range props {
				pm := p.(map[string]any)
				if d, _ := pm["description"].(string); len(d) < 10 {
					problems = append(problems, where+"."+name+": no description")
				}
				walk(where+"."+name, pm, depth+1)
			}
		case "array":
			if _, ok := s["maxItems"]; !ok {
				problems = append(problems, where+": a list without maxItems")
			}
			if items, ok := s["items"].(map[string]any); ok {
				walk(where+"[]", items, depth+1)
			}
		case "string":
			_, l := s["maxLength"]
			_, en := s["enum"]
			_, f := s["format"]
			if !l && !en && !f {
				problems = append(problems, where+": a string without maxLength, enum or format")
			}
		case "integer":
			_, lo := s["minimum"]
			_, hi := s["maximum"]
			if !lo || !hi {
				problems = append(problems, where+": a whole number without minimum and maximum")
			}
		}
	}
	for p, item := range doc["paths"].(map[string]any) {
		for m, o := range item.(map[string]any) {
			op := o.(map[string]any)
			errs := 0
			for code := range op["responses"].(map[string]any) {
				if code >= "400" {
					errs++
				}
			}
			if errs == 0 {
				problems = append(problems, m+" "+p+": no error response documented")
			}
			if rb, ok := op["requestBody"].(map[string]any); ok {
				schema := rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
				walk(m+" "+p, schema, 0)
			}
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}
