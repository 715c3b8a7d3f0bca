package runner

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/goebm/ebm/registry"
)

// findKind accepts the plural or the table name ("samplers", "sampler").
func findKind(s string) (*kind, bool) {
	for _, k := range kinds {
		if s == k.plural || s == k.table {
			return k, true
		}
	}
	return nil, false
}

func kindNames() []string {
	var out []string
	for _, k := range kinds {
		out = append(out, k.plural)
	}
	return out
}

func cmdList(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := positional("list", pos, 0, 1, "at most one kind ("+strings.Join(kindNames(), ", ")+")"); err != nil {
		return err
	}
	show := kinds
	if len(pos) == 1 {
		k, ok := findKind(pos[0])
		if !ok {
			msg := fmt.Sprintf("ebmrun list: unknown kind %q", pos[0])
			if s := registry.Nearest(pos[0], kindNames()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return fmt.Errorf("%s; kinds: %s", msg, strings.Join(kindNames(), ", "))
		}
		show = []*kind{k}
	}
	for i, k := range show {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "%s:\n", k.plural)
		names := k.names()
		width := 0
		for _, n := range names {
			width = max(width, len(n))
		}
		for _, n := range names {
			v, err := k.fresh(n)
			desc := ""
			if err == nil {
				desc = registry.Describe(v)
			}
			fmt.Fprintf(e.stdout, "  %-*s  %s\n", width, n, desc)
		}
	}
	return nil
}

func cmdConfig(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := positional("config", pos, 1, 1, "one component NAME (e.g. gmm or energy/gmm)"); err != nil {
		return err
	}
	name := pos[0]
	search := kinds
	if pre, rest, ok := strings.Cut(name, "/"); ok {
		k, found := findKind(pre)
		if !found {
			return fmt.Errorf("ebmrun config: unknown kind %q in %q; write KIND/NAME with KIND one of %s", pre, name, strings.Join(tableNames(), ", "))
		}
		search, name = []*kind{k}, rest
	}
	var hits []*kind
	var all []string
	for _, k := range search {
		for _, n := range k.names() {
			all = append(all, n)
			if n == name {
				hits = append(hits, k)
			}
		}
	}
	switch len(hits) {
	case 0:
		sort.Strings(all)
		msg := fmt.Sprintf("ebmrun config: no component named %q", name)
		if s := registry.Nearest(name, all); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return fmt.Errorf("%s; see ebmrun list", msg)
	case 1:
		v, err := hits[0].fresh(name)
		if err != nil {
			return err
		}
		fmt.Fprint(e.stdout, registry.Sample(hits[0].table, name, v))
		return nil
	}
	var opts []string
	for _, k := range hits {
		opts = append(opts, k.table+"/"+name)
	}
	return fmt.Errorf("ebmrun config: %q names several components: write one of %s", name, strings.Join(opts, ", "))
}

// tableNames lists the kinds' table names (energy, sampler, …).
func tableNames() []string {
	var out []string
	for _, k := range kinds {
		out = append(out, k.table)
	}
	return out
}
