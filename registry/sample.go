package registry

import (
	"bytes"
	"fmt"
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
	for _, f := range Fields(v) {
		val, ok := m[f.Key]
		if f.Doc != "" {
			for _, line := range strings.Split(f.Doc, "\n") {
				fmt.Fprintf(&b, "# %s\n", line)
			}
		}
		if !ok {
			fmt.Fprintf(&b, "# %s = (unset)\n", f.Key)
			continue
		}
		b.WriteString(EncodeKey(f.Key, val))
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
