package registry

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Sample renders the documented sample TOML table of a component: a header
// line, `type = "name"`, then each field with its `doc` tag as a comment and
// its default as the value. v is a fresh component from its factory; when it
// implements Exampler, Example fills the keys that have no default. The text
// is produced from the component itself, so it cannot drift from the code.
func Sample(table, name string, v any) string {
	if ex, ok := v.(Exampler); ok {
		ex.Example()
	}
	var b strings.Builder
	if d := Describe(v); d != "" {
		fmt.Fprintf(&b, "# %s\n", d)
	}
	fmt.Fprintf(&b, "[%s]\n", table)
	fmt.Fprintf(&b, "type = %q\n", name)
	m := ToMap(v)
	nested := map[string]bool{}
	for _, n := range Nested(v) {
		nested[n.Key] = true
	}
	doc := func(f Field) {
		if f.Doc != "" {
			for _, line := range strings.Split(f.Doc, "\n") {
				fmt.Fprintf(&b, "# %s\n", line)
			}
		}
	}
	for _, f := range Fields(v) {
		if nested[f.Key] {
			continue
		}
		val, ok := m[f.Key]
		doc(f)
		if !ok {
			fmt.Fprintf(&b, "# %s = (unset)\n", f.Key)
			continue
		}
		b.WriteString(EncodeKey(f.Key, val))
	}
	// Nested components follow as sub-tables, [table.key], with their type
	// first and their keys in sorted order.
	for _, f := range Fields(v) {
		t, ok := m[f.Key].(map[string]any)
		if !nested[f.Key] || !ok {
			continue
		}
		b.WriteString("\n")
		doc(f)
		fmt.Fprintf(&b, "[%s.%s]\n", table, f.Key)
		fmt.Fprintf(&b, "type = %q\n", t["type"])
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if k != "type" {
				b.WriteString(EncodeKey(k, t[k]))
			}
		}
	}
	return b.String()
}

// EncodeKey renders one `key = value` line (or a sub-table) in TOML.
func EncodeKey(key string, val any) string {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(map[string]any{key: val}); err != nil {
		return fmt.Sprintf("# %s: cannot encode: %v\n", key, err)
	}
	return buf.String()
}
