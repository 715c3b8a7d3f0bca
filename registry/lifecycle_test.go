package registry

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// part is a component kind for the lifecycle tests: an interface with a
// registry of its own, so that Component[part] fields can be built.
type part interface{ Name() string }

var parts = New[part]("part")

type gear struct {
	Teeth int `toml:"teeth" doc:"number of teeth, > 0"`
	log   *[]string
}

func (g *gear) Name() string { return "gear" }
func (g *gear) Validate() error {
	if g.Teeth <= 0 {
		return KeyErrorf("teeth", "must be > 0, got %d", g.Teeth)
	}
	return nil
}

// machine holds a nested part and records the order of its lifecycle.
type machine struct {
	Speed float64         `toml:"speed" doc:"speed"`
	Drive Component[part] `toml:"drive" doc:"the drive part"`

	steps []string
	dir   string
}

func (m *machine) Name() string { return "machine" }
func (m *machine) Provision(ctx Context) error {
	m.steps = append(m.steps, fmt.Sprintf("provision(built=%v)", m.Drive.Built()))
	m.dir = ctx.Dir
	ctx.Warnf("speed %v", m.Speed)
	return nil
}
func (m *machine) Validate() error {
	m.steps = append(m.steps, "validate")
	if m.Speed < 0 {
		return KeyErrorf("speed", "must be ≥ 0, got %v", m.Speed)
	}
	return nil
}

func init() {
	parts.Register("gear", func() part { return &gear{Teeth: 12} })
	parts.Register("machine", func() part {
		return &machine{Speed: 1, Drive: With[part]("gear", map[string]any{"teeth": int64(8)})}
	})
}

// TestLifecycleOrder: nested components are built before the parent's
// Provision, which runs before Validate, with the Context it was given; a
// warning reaches the sink prefixed with the table. A failure means a
// component validates before it has what Provision gives it, or nested
// components are not built at all.
func TestLifecycleOrder(t *testing.T) {
	var warns []string
	ctx := Context{Table: "thing", Dir: "/cfg", Warn: func(s string) { warns = append(warns, s) }}
	p, err := parts.Build(ctx, map[string]any{"type": "machine", "speed": 2.0})
	if err != nil {
		t.Fatal(err)
	}
	m := p.(*machine)
	if got := strings.Join(m.steps, ","); got != "provision(built=true),validate" || m.dir != "/cfg" {
		t.Errorf("steps %q, dir %q; want nested built before provision, then validate, with dir /cfg", got, m.dir)
	}
	if g, ok := m.Drive.Value.(*gear); !ok || g.Teeth != 8 {
		t.Errorf("nested default: %#v, want a gear with the factory's 8 teeth", m.Drive.Value)
	}
	if len(warns) != 1 || warns[0] != "[thing]: speed 2" {
		t.Errorf("warnings %q", warns)
	}
	// The resolved table shows the nested component with its defaults.
	if d, ok := ToMap(m)["drive"].(map[string]any); !ok || d["type"] != "gear" || d["teeth"] != 8 {
		t.Errorf("ToMap drive = %#v", ToMap(m)["drive"])
	}
}

// TestNestedTable: a nested table replaces the default wholesale, and its
// errors name the nested table inside the parent's, as the user wrote them.
func TestNestedTable(t *testing.T) {
	p, err := parts.Build(Context{}, map[string]any{"type": "machine", "drive": map[string]any{"type": "gear"}})
	if err != nil {
		t.Fatal(err)
	}
	if g := p.(*machine).Drive.Value.(*gear); g.Teeth != 12 {
		t.Errorf("teeth %d: a given nested table must start from its type's defaults (12), not the parent's default table", g.Teeth)
	}
	cases := map[string]struct {
		drive any
		want  string
	}{
		"unknown key": {map[string]any{"type": "gear", "teth": int64(3)}, `cfg.toml: [machine] (machine): [machine.drive] (gear): unknown key "teth" (did you mean "teeth"?); known keys: teeth`},
		"bad value":   {map[string]any{"type": "gear", "teeth": int64(-1)}, `cfg.toml: [machine] (machine): [machine.drive] (gear): key "teeth": must be > 0, got -1`},
		"no type":     {map[string]any{"teeth": int64(3)}, `cfg.toml: [machine] (machine): key "drive": missing key "type"; a nested table replaces the default wholesale, so name the type (the default is type = "gear", teeth = 8)`},
		"not a table": {int64(3), `cfg.toml: [machine] (machine): key "drive": want a table, got an integer`},
		"unknown":     {map[string]any{"type": "gera"}, `cfg.toml: [machine] (machine): [machine.drive]: unknown part "gera" (did you mean "gear"?); known: gear, machine`},
	}
	for name, c := range cases {
		_, err := parts.Build(Context{File: "cfg.toml", Table: "machine"}, map[string]any{"type": "machine", "drive": c.drive})
		if err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got  %v\n want %s", name, err, c.want)
		}
	}
}

// TestErrorFields: errors are values a caller inspects with errors.As and
// errors.Is; every line of a multi-error carries the full prefix.
func TestErrorFields(t *testing.T) {
	_, err := parts.Build(Context{File: "f.toml", Table: "machine"}, map[string]any{"type": "machine", "speed": -1.0, "drive": map[string]any{"type": "gear", "teeth": int64(-2)}})
	var re *Error
	if !errors.As(err, &re) || re.File != "f.toml" || re.Table != "machine" || re.Kind != "part" || re.Type != "machine" {
		t.Fatalf("%v: want an *Error with file, table, kind and type", err)
	}
	_, err = parts.Build(Context{}, map[string]any{"type": "gearz"})
	var ut *UnknownTypeError
	if !errors.As(err, &ut) || ut.Name != "gearz" || ut.Kind != "part" {
		t.Errorf("%v: want an *UnknownTypeError", err)
	}
	_, err = parts.Build(Context{}, map[string]any{"teeth": 1})
	if !errors.Is(err, ErrMissingType) {
		t.Errorf("%v: want ErrMissingType", err)
	}
	wrapped := &Error{File: "f", Table: "t", Key: "path", Err: fmt.Errorf("open: %w", os.ErrNotExist)}
	if !errors.Is(wrapped, os.ErrNotExist) {
		t.Error("errors.Is does not see through *Error")
	}
	multi := &Error{File: "f", Table: "t", Type: "x", Err: errors.Join(errors.New("one"), errors.New("two"))}
	if got := multi.Error(); got != "f: [t] (x): one\nf: [t] (x): two" {
		t.Errorf("multi-line error:\n%s", got)
	}
}

// TestSettingsReportsAll: a settings table reports a failed nested
// component and its own invalid keys together.
func TestSettingsReportsAll(t *testing.T) {
	m := &machine{Speed: 1, Drive: With[part]("gear", nil)}
	err := Settings(Context{File: "f", Table: "run"}, map[string]any{"speed": -3.0, "drive": map[string]any{"type": "gear", "teeth": int64(0)}}, m)
	if err == nil || !strings.Contains(err.Error(), `f: [run.drive] (gear): key "teeth"`) || !strings.Contains(err.Error(), `f: [run]: key "speed"`) {
		t.Errorf("got %v; want both the nested and the own error, each naming its table", err)
	}
}

// TestSampleNested: a component's sample writes its nested components as
// sub-tables [table.key] that decode back through Build. A failure means
// `ebmrun config` prints a sample that does not load.
func TestSampleNested(t *testing.T) {
	p, _ := parts.New("machine")
	text := Sample("thing", "machine", p)
	if !strings.Contains(text, "[thing.drive]\ntype = \"gear\"\nteeth = 8\n") {
		t.Fatalf("sample lacks the nested table:\n%s", text)
	}
	m := decodeTOML(t, text)
	got, err := parts.Build(Context{}, m["thing"].(map[string]any))
	if err != nil {
		t.Fatalf("sample does not build: %v\n%s", err, text)
	}
	if g := got.(*machine).Drive.Value.(*gear); g.Teeth != 8 {
		t.Errorf("nested teeth %d, want 8", g.Teeth)
	}
}
