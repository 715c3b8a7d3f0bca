package runner

import (
	"fmt"
	"strings"

	"github.com/goebm/ebm/registry"
)

// ResolvedTOML renders the config with every default filled in: what ran,
// written to config.toml in the output directory. Loading it again gives
// the same pipeline.
func (c *Config) ResolvedTOML() string {
	var b strings.Builder
	writeTop(&b, c.File, c.Name, c.Seed)
	writeTable(&b, "[energy]", c.EnergyType, c.Energy)
	writeTable(&b, "[init]", c.InitType, c.Init)
	for _, s := range c.Samplers {
		head := "[sampler]"
		if c.SamplerArray {
			head = "[[sampler]]"
		}
		writeTable(&b, head, s.Type, s.Sampler)
	}
	writeTable(&b, "[run]", "", &c.Run)
	return b.String()
}

// writeTop writes the head of a resolved config: where it came from, and
// the top-level keys.
func writeTop(b *strings.Builder, file, name string, seed int64) {
	fmt.Fprintf(b, "# resolved from %s: every default filled in\n", file)
	b.WriteString(registry.EncodeKey("name", name))
	b.WriteString(registry.EncodeKey("seed", seed))
}

// writeTable writes one table: its header, type (when not empty) and every
// configurable field of v in declaration order; nested components
// (registry.Component fields) follow as sub-tables, [head.key].
func writeTable(b *strings.Builder, head, typ string, v any) {
	fmt.Fprintf(b, "\n%s\n", head)
	if typ != "" {
		b.WriteString(registry.EncodeKey("type", typ))
	}
	m := registry.ToMap(v)
	nested := map[string]bool{}
	for _, n := range registry.Nested(v) {
		nested[n.Key] = true
	}
	for _, f := range registry.Fields(v) {
		val, ok := m[f.Key]
		if !ok || nested[f.Key] {
			continue
		}
		b.WriteString(encodeInline(f.Key, val))
	}
	name := strings.Trim(head, "[]")
	for _, n := range registry.Nested(v) {
		t, ok := m[n.Key].(map[string]any)
		if !ok {
			continue
		}
		typ, _ := t["type"].(string)
		writeMap(b, "["+name+"."+n.Key+"]", typ, t)
	}
}

// writeMap writes a resolved nested table: its header, type, then its
// keys in sorted order.
func writeMap(b *strings.Builder, head, typ string, t map[string]any) {
	fmt.Fprintf(b, "\n%s\n", head)
	b.WriteString(registry.EncodeKey("type", typ))
	for _, k := range sortedKeys(t) {
		if k != "type" {
			b.WriteString(encodeInline(k, t[k]))
		}
	}
}

// encodeInline renders `key = value`, with tables as inline tables so that
// they stay inside the current table.
func encodeInline(key string, val any) string {
	t, ok := val.(map[string]any)
	if !ok {
		return registry.EncodeKey(key, val)
	}
	var parts []string
	for _, k := range sortedKeys(t) {
		parts = append(parts, strings.TrimSuffix(encodeInline(k, t[k]), "\n"))
	}
	quoted := strings.TrimSuffix(registry.EncodeKey(key, 0), " = 0\n")
	return fmt.Sprintf("%s = {%s}\n", quoted, strings.Join(parts, ", "))
}
