package optim

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/registry"
)

// TestAdamFirstSteps compares three Adam steps with values computed by hand
// from Kingma & Ba's Algorithm 1 (step 1: θ − lr·g/(|g|+ε), the bias
// correction making m̂ = g and v̂ = g²). A failure means a wrong moment
// update, a missing or wrong bias correction, or ε in the wrong place.
func TestAdamFirstSteps(t *testing.T) {
	o := mustTable(t, map[string]any{"type": "adam", "lr": 0.1})
	mustStart(t, o, 2, 0)
	p := []float64{1, -0.5}
	grads := [][]float64{{2, -0.25}, {-1, 0.5}, {0.5, 0.5}}
	want := [][]float64{
		{1 - 0.1*2/(2+1e-8), -0.5 + 0.1*0.25/(0.25+1e-8)}, // 0.9000000005, -0.400000004
		{0.8733662967024315, -0.43661035577754626},
		{0.8393233821389426, -0.500300006264313},
	}
	for s, g := range grads {
		lr, norm := o.Step(p, slices.Clone(g))
		if lr != 0.1 || !closeRel(norm, math.Hypot(g[0], g[1]), 1e-15) {
			t.Errorf("step %d: lr %v, norm %v; want 0.1, %v", s+1, lr, norm, math.Hypot(g[0], g[1]))
		}
		for i := range p {
			if !closeRel(p[i], want[s][i], 1e-13) {
				t.Errorf("step %d: θ[%d] = %.17g, want %.17g", s+1, i, p[i], want[s][i])
			}
		}
	}
	st := o.State()
	if st.Step != 3 || !closeRel(st.Vectors["m"][0], 0.122, 1e-13) || !closeRel(st.Vectors["v"][1], 0.0005621250625, 1e-12) {
		t.Errorf("state after 3 steps: %+v; want step 3, m[0] = 0.122, v[1] = 0.0005621250625", st)
	}
}

// TestAdamWDecoupled checks that AdamW's weight decay acts on θ directly:
// with a zero gradient θ shrinks by exactly (1 − lr·wd) per step, and with
// a gradient the moments are those of plain Adam (the decay never enters
// them) while θ follows θ(1 − lr·wd) − lr·m̂/(√v̂+ε). A failure means L2
// decay through the gradient (plain Adam with L2), which is not AdamW.
func TestAdamWDecoupled(t *testing.T) {
	o := mustTable(t, map[string]any{"type": "adam", "lr": 0.01, "weight_decay": 0.5})
	mustStart(t, o, 1, 0)
	p := []float64{3}
	for s := 1; s <= 5; s++ {
		o.Step(p, []float64{0})
		if w := 3 * math.Pow(1-0.01*0.5, float64(s)); !closeRel(p[0], w, 1e-14) {
			t.Fatalf("zero gradient, step %d: θ = %v, want %v", s, p[0], w)
		}
	}

	dec := mustTable(t, map[string]any{"type": "adam", "lr": 0.01, "weight_decay": 0.5})
	plain := mustTable(t, map[string]any{"type": "adam", "lr": 0.01})
	mustStart(t, dec, 3, 0)
	mustStart(t, plain, 3, 0)
	pd := []float64{1, -2, 0.5}
	ref := slices.Clone(pd)
	var m, v [3]float64
	for s := 1; s <= 20; s++ {
		g := []float64{pd[0] - 0.3, 2 * pd[1], -pd[2] + 1}
		gd := slices.Clone(g)
		dec.Step(pd, gd)
		plain.Step(make([]float64, 3), slices.Clone(g))
		for i := range ref {
			m[i] = 0.9*m[i] + 0.1*g[i]
			v[i] = 0.999*v[i] + 0.001*g[i]*g[i]
			mh := m[i] / (1 - math.Pow(0.9, float64(s)))
			vh := v[i] / (1 - math.Pow(0.999, float64(s)))
			ref[i] = ref[i] - 0.01*0.5*ref[i] - 0.01*mh/(math.Sqrt(vh)+1e-8)
		}
		for i := range pd {
			if !closeRel(pd[i], ref[i], 1e-12) {
				t.Fatalf("step %d: θ[%d] = %v, AdamW reference %v", s, i, pd[i], ref[i])
			}
		}
	}
	sd, sp := dec.State(), plain.State()
	for _, k := range []string{"m", "v"} {
		if !slices.Equal(sd.Vectors[k], sp.Vectors[k]) {
			t.Errorf("moment %q with decay %v differs from plain Adam's %v on the same gradients", k, sd.Vectors[k], sp.Vectors[k])
		}
	}
}

// TestSGDReference runs SGD (plain, momentum, Nesterov, with and without
// weight decay) on a quadratic against reference loops written in the
// velocity form (v ← μv − lr·g; θ ← θ + v, and θ ← θ + μv − lr·g for
// Nesterov, Sutskever et al. 2013 / Bengio et al. 2013). A failure means a
// wrong momentum or Nesterov update, or weight decay applied wrongly.
func TestSGDReference(t *testing.T) {
	k := []float64{1, 4, 0.25}
	for _, c := range []struct {
		mu       float64
		nesterov bool
		wd       float64
	}{{0, false, 0}, {0, false, 0.1}, {0.9, false, 0}, {0.9, false, 0.1}, {0.8, true, 0}, {0.8, true, 0.1}} {
		o := mustTable(t, map[string]any{"type": "sgd", "lr": 0.05, "momentum": c.mu, "nesterov": c.nesterov, "weight_decay": c.wd})
		mustStart(t, o, 3, 0)
		p := []float64{1, -1, 2}
		ref := slices.Clone(p)
		vel := make([]float64, 3)
		g := make([]float64, 3)
		gr := make([]float64, 3)
		for s := 0; s < 50; s++ {
			quadGrad(g, p, k)
			o.Step(p, g)
			quadGrad(gr, ref, k)
			for i := range ref {
				gi := gr[i] + c.wd*ref[i]
				vel[i] = c.mu*vel[i] - 0.05*gi
				if c.nesterov {
					ref[i] += c.mu*vel[i] - 0.05*gi
				} else {
					ref[i] += vel[i]
				}
			}
			for i := range p {
				if !closeRel(p[i], ref[i], 1e-12) {
					t.Fatalf("%+v step %d: θ[%d] = %v, reference %v", c, s, i, p[i], ref[i])
				}
			}
		}
	}
}

// TestMinimizeIllConditioned: both optimizers must drive a quadratic with
// condition number 1000 to its minimum (f reduced a million-fold from
// f ≈ 1500). A failure means an update that diverges or stalls on a
// realistic problem even though the unit checks pass.
func TestMinimizeIllConditioned(t *testing.T) {
	const n = 10
	k := make([]float64, n)
	for i := range k {
		k[i] = math.Pow(1000, float64(i)/(n-1)) // 1 … 1000
	}
	for _, table := range []map[string]any{
		{"type": "sgd", "lr": 1.0 / 1000, "momentum": 0.95, "nesterov": true},
		{"type": "adam", "lr": 0.05, "schedule": "cosine", "min_lr": 0.0, "warmup": 10},
	} {
		const steps = 2000
		o := mustTable(t, table)
		mustStart(t, o, n, steps)
		p := make([]float64, n)
		for i := range p {
			p[i] = 1 + float64(i%3)
		}
		g := make([]float64, n)
		f0 := quadGrad(g, p, k)
		for s := 0; s < steps; s++ {
			quadGrad(g, p, k)
			o.Step(p, g)
		}
		f := quadGrad(g, p, k)
		if !(f < 1e-6*f0) {
			t.Errorf("%v: f = %v after %d steps from %v, want < %v", table["type"], f, steps, f0, 1e-6*f0)
		}
	}
}

// TestClip checks clipping by global norm: the applied gradient has norm
// clip_norm exactly (to rounding) and the direction of the raw gradient,
// Step reports the norm before clipping, and a gradient already within the
// bound is left alone. A failure means per-component clipping, a changed
// direction, or the wrong norm reported.
func TestClip(t *testing.T) {
	o := mustTable(t, map[string]any{"type": "sgd", "lr": 1.0, "clip_norm": 2.0})
	mustStart(t, o, 3, 0)
	p := []float64{0, 0, 0}
	g := []float64{3, -4, 12} // norm 13
	_, norm := o.Step(p, g)
	if norm != 13 {
		t.Errorf("reported norm %v, want the norm before clipping, 13", norm)
	}
	if n := Norm(p); !closeRel(n, 2, 1e-15) {
		t.Errorf("step length %v, want clip_norm 2", n)
	}
	for i, raw := range []float64{3, -4, 12} {
		if !closeRel(-p[i], raw*2/13, 1e-15) {
			t.Errorf("step[%d] = %v, want %v (direction of the raw gradient)", i, -p[i], -raw*2/13)
		}
	}
	p = []float64{0, 0, 0}
	_, norm = o.Step(p, []float64{0.6, 0, -0.8})
	if norm != 1 || p[0] != -0.6 || p[2] != 0.8 {
		t.Errorf("gradient of norm 1 < clip_norm: norm %v, step %v; want it unclipped", norm, p)
	}
}

// TestNonFiniteGradient: a NaN or infinite gradient must not be applied.
// Step returns the non-finite norm and leaves params, moments and the step
// counter as they were. A failure means a NaN would silently spread into
// the parameters or the optimizer state.
func TestNonFiniteGradient(t *testing.T) {
	for _, typ := range []string{"sgd", "adam"} {
		for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			table := map[string]any{"type": typ, "lr": 0.1, "clip_norm": 1.0}
			if typ == "sgd" {
				table["momentum"] = 0.5
			}
			o := mustTable(t, table)
			mustStart(t, o, 3, 0)
			p := []float64{1, 2, 3}
			o.Step(p, []float64{0.1, 0.2, 0.3})
			before, pb := o.State(), slices.Clone(p)
			_, norm := o.Step(p, []float64{0.1, bad, 0.3})
			if !(math.IsNaN(norm) && math.IsNaN(bad) || math.IsInf(norm, 1) && math.IsInf(bad, 0)) {
				t.Errorf("%s, gradient with %v: norm %v, want NaN for NaN and +Inf for ±Inf", typ, bad, norm)
			}
			if !slices.Equal(p, pb) {
				t.Errorf("%s, gradient with %v: params changed from %v to %v", typ, bad, pb, p)
			}
			after := o.State()
			if after.Step != before.Step {
				t.Errorf("%s, gradient with %v: step counter moved from %d to %d", typ, bad, before.Step, after.Step)
			}
			for k, v := range before.Vectors {
				if !slices.Equal(v, after.Vectors[k]) {
					t.Errorf("%s, gradient with %v: vector %q changed", typ, bad, k)
				}
			}
		}
	}
}

// TestNorm: the global norm must be right where the plain sum of squares
// overflows or underflows, and NaN must win over Inf. A failure means
// clipping by a wrong norm on large or tiny gradients.
func TestNorm(t *testing.T) {
	for _, c := range []struct {
		g    []float64
		want float64
	}{
		{nil, 0}, {[]float64{0, 0}, 0}, {[]float64{3, 4}, 5},
		{[]float64{3e200, 4e200}, 5e200}, {[]float64{3e-200, -4e-200}, 5e-200},
		{[]float64{1, math.Inf(-1)}, math.Inf(1)},
	} {
		if got := Norm(c.g); !closeRel(got, c.want, 1e-15) && got != c.want {
			t.Errorf("Norm(%v) = %v, want %v", c.g, got, c.want)
		}
	}
	if got := Norm([]float64{math.Inf(1), math.NaN()}); !math.IsNaN(got) {
		t.Errorf("Norm(Inf, NaN) = %v, want NaN", got)
	}
}

// TestSchedules checks the learning rate at chosen steps: the warmup ramp,
// both cosine endpoints and its midpoint, the default cosine length
// (total − warmup), and step decay at its boundaries; and that Step uses
// that rate. A failure means an off-by-one in the ramp or the decay, or a
// schedule that does not end where it should.
func TestSchedules(t *testing.T) {
	cases := []struct {
		table map[string]any
		total int
		at    map[int64]float64
	}{
		{map[string]any{"type": "sgd", "lr": 1.0, "warmup": 4}, 0,
			map[int64]float64{0: 0.25, 1: 0.5, 3: 1, 4: 1, 1000: 1}},
		{map[string]any{"type": "adam", "lr": 1.0, "warmup": 10, "schedule": "cosine", "min_lr": 0.1}, 110,
			map[int64]float64{0: 0.1, 9: 1, 10: 1, 60: 0.55, 110: 0.1, 500: 0.1}},
		{map[string]any{"type": "adam", "lr": 2.0, "schedule": "cosine", "decay_steps": 8}, 0,
			map[int64]float64{0: 2, 4: 1, 8: 0, 9: 0}},
		{map[string]any{"type": "sgd", "lr": 1.0, "warmup": 2, "schedule": "step", "step_every": 5, "gamma": 0.5}, 0,
			map[int64]float64{1: 1, 2: 1, 6: 1, 7: 0.5, 11: 0.5, 12: 0.25}},
	}
	for _, c := range cases {
		o := mustTable(t, c.table)
		mustStart(t, o, 1, c.total)
		com := commonOf(o)
		for step, want := range c.at {
			if got := com.LRAt(step); !closeRel(got, want, 1e-14) {
				t.Errorf("%v: lr at step %d = %v, want %v", c.table, step, got, want)
			}
		}
		for s := int64(0); s < 13; s++ {
			lr, _ := o.Step([]float64{0}, []float64{1})
			if lr != com.LRAt(s) {
				t.Errorf("%v: Step %d used lr %v, schedule says %v", c.table, s, lr, com.LRAt(s))
			}
		}
	}
}

// commonOf returns the shared keys of a built-in optimizer.
func commonOf(o Optimizer) *Common {
	switch o := o.(type) {
	case *SGD:
		return &o.Common
	case *Adam:
		return &o.Common
	}
	panic("unknown optimizer")
}

// TestResume: running K steps, saving State, restoring it into a fresh
// optimizer and running K more must give bit-identical parameters to 2K
// uninterrupted steps, with warmup, a cosine schedule and clipping all in
// play. A failure means State misses something (counter, a moment) and a
// resumed training run would drift from the original.
func TestResume(t *testing.T) {
	k := []float64{1, 10, 100}
	for _, table := range []map[string]any{
		{"type": "adam", "lr": 0.05, "warmup": 5, "schedule": "cosine", "clip_norm": 5.0, "weight_decay": 0.01},
		{"type": "sgd", "lr": 0.005, "momentum": 0.9, "nesterov": true, "schedule": "step", "step_every": 7, "gamma": 0.5, "clip_norm": 5.0, "weight_decay": 0.01},
		{"type": "sgd", "lr": 0.005, "warmup": 3},
	} {
		const K, total = 15, 40
		run := func(o Optimizer, p []float64, steps int) {
			g := make([]float64, len(p))
			for s := 0; s < steps; s++ {
				quadGrad(g, p, k)
				o.Step(p, g)
			}
		}
		a := mustTable(t, table)
		mustStart(t, a, 3, total)
		pa := []float64{1, -1, 0.5}
		run(a, pa, 2*K)

		b := mustTable(t, table)
		mustStart(t, b, 3, total)
		pb := []float64{1, -1, 0.5}
		run(b, pb, K)
		st := b.State()
		run(b, make([]float64, 3), 3) // moving on must not alter the saved copy
		c := mustTable(t, table)
		mustStart(t, c, 3, total)
		if err := c.Restore(st); err != nil {
			t.Fatalf("%v: Restore: %v", table["type"], err)
		}
		run(c, pb, K)
		if !slices.Equal(pa, pb) {
			t.Errorf("%v: resumed run ends at %v, uninterrupted run at %v", table, pb, pa)
		}
		if sa, sc := a.State(), c.State(); sa.Step != sc.Step || sa.Step != 2*K {
			t.Errorf("%v: step counters %d (uninterrupted) and %d (resumed), want %d", table["type"], sa.Step, sc.Step, 2*K)
		}
	}
}

// TestRestoreErrors: a state from another optimizer, with wrong sizes or a
// negative step, or Restore before Start, must be refused with a message
// saying what is wrong, and leave the optimizer unchanged.
func TestRestoreErrors(t *testing.T) {
	adam := mustTable(t, map[string]any{"type": "adam"})
	mustStart(t, adam, 2, 0)
	sgd := mustTable(t, map[string]any{"type": "sgd", "momentum": 0.5})
	if err := sgd.Restore(adam.State()); err == nil || !strings.Contains(err.Error(), "before Start") {
		t.Errorf("Restore before Start: %v", err)
	}
	mustStart(t, sgd, 2, 0)
	cases := []struct {
		st   State
		want string
	}{
		{adam.State(), `want [momentum]`},
		{State{Step: 1, Vectors: map[string][]float64{"momentum": {1, 2, 3}}}, "has 3 values, want 2"},
		{State{Step: -1, Vectors: map[string][]float64{"momentum": {1, 2}}}, "step -1"},
	}
	for _, c := range cases {
		err := sgd.Restore(c.st)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "sgd") {
			t.Errorf("Restore(%+v): error %v, want one naming sgd and containing %q", c.st, err, c.want)
		}
	}
	if st := sgd.State(); st.Step != 0 || !slices.Equal(st.Vectors["momentum"], []float64{0, 0}) {
		t.Errorf("a refused Restore changed the state to %+v", st)
	}
}

// TestBadKeys: each bad key value is refused before any work with an error
// naming the optimizer and the key. A failure means a typo or an invalid
// value would run silently (or panic).
func TestBadKeys(t *testing.T) {
	cases := []struct {
		table map[string]any
		want  []string
	}{
		{map[string]any{"type": "adam", "lr": -1.0}, []string{"(adam)", `"lr"`}},
		{map[string]any{"type": "adam", "lr": math.NaN()}, []string{`"lr"`}},
		{map[string]any{"type": "adma"}, []string{`did you mean "adam"`}},
		{map[string]any{"type": "adam", "betta1": 0.5}, []string{`"betta1"`, `did you mean "beta1"`}},
		{map[string]any{"type": "adam", "beta1": 1.0}, []string{`"beta1"`}},
		{map[string]any{"type": "adam", "beta2": -0.1}, []string{`"beta2"`}},
		{map[string]any{"type": "adam", "eps": 0.0}, []string{`"eps"`}},
		{map[string]any{"type": "adam", "weight_decay": -1.0}, []string{`"weight_decay"`}},
		{map[string]any{"type": "sgd", "momentum": 1.0}, []string{"(sgd)", `"momentum"`}},
		{map[string]any{"type": "sgd", "nesterov": true}, []string{`"nesterov"`, "momentum > 0"}},
		{map[string]any{"type": "sgd", "clip_norm": -1.0}, []string{`"clip_norm"`}},
		{map[string]any{"type": "sgd", "warmup": -3}, []string{`"warmup"`}},
		{map[string]any{"type": "sgd", "warmup": 1.5}, []string{`"warmup"`, "integer"}},
		{map[string]any{"type": "sgd", "schedule": "cosin"}, []string{`"schedule"`, `did you mean "cosine"`}},
		{map[string]any{"type": "sgd", "lr": 0.1, "min_lr": 0.2}, []string{`"min_lr"`}},
		{map[string]any{"type": "sgd", "decay_steps": -1}, []string{`"decay_steps"`}},
		{map[string]any{"type": "sgd", "schedule": "step", "step_every": 0}, []string{`"step_every"`}},
		{map[string]any{"type": "sgd", "gamma": 0.0}, []string{`"gamma"`}},
		{map[string]any{"type": "sgd", "lr": "fast"}, []string{`"lr"`, "number"}},
	}
	for _, c := range cases {
		_, err := FromTable(c.table)
		if err == nil {
			t.Errorf("%v: accepted", c.table)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", c.table, err, w)
			}
		}
	}
	// Keys valid on their own but not with the run: cosine needs a length.
	o := mustTable(t, map[string]any{"type": "adam", "schedule": "cosine", "warmup": 10})
	for _, total := range []int{0, 10} {
		if err := o.Start(5, total); err == nil || !strings.Contains(err.Error(), `"decay_steps"`) {
			t.Errorf("cosine without decay_steps, total %d: error %v, want one naming decay_steps", total, err)
		}
	}
	if err := o.Start(-1, 100); err == nil {
		t.Error("Start with n = -1 accepted")
	}
}

// TestSamples: the documented sample of every registered optimizer decodes
// and validates, so the documentation cannot drift from the code; and the
// shared keys of Common show up in it (promoted from the embedded struct).
func TestSamples(t *testing.T) {
	for _, name := range Names() {
		o, _ := New(name)
		sample := registry.Sample("optimizer", name, o)
		var doc map[string]any
		if _, err := toml.Decode(sample, &doc); err != nil {
			t.Fatalf("%s: sample is not TOML: %v\n%s", name, err, sample)
		}
		table, _ := doc["optimizer"].(map[string]any)
		if _, err := FromTable(table); err != nil {
			t.Errorf("%s: sample does not validate: %v\n%s", name, err, sample)
		}
		for _, key := range []string{"lr", "clip_norm", "warmup", "schedule", "min_lr", "decay_steps", "step_every", "gamma"} {
			if !strings.Contains(sample, "\n"+key+" = ") {
				t.Errorf("%s: sample lacks the shared key %q:\n%s", name, key, sample)
			}
		}
		if registry.Describe(o) == "" {
			t.Errorf("%s has no description", name)
		}
	}
	if got := strings.Join(Names(), ","); got != "adam,sgd" {
		t.Errorf("registered optimizers %q, want adam,sgd", got)
	}
}

// TestStepPanicsOnMisuse: a length mismatch or a Step before Start is a
// programming error and must panic with the package prefix, not corrupt
// memory or pass silently.
func TestStepPanicsOnMisuse(t *testing.T) {
	for _, c := range []struct {
		name  string
		start bool
		n     int
	}{{"before Start", false, 2}, {"length mismatch", true, 3}} {
		func() {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "optim: ") {
					t.Errorf("%s: recovered %v, want a panic starting with \"optim: \"", c.name, r)
				}
			}()
			o := NewAdam()
			if c.start {
				mustStart(t, o, 2, 0)
			}
			o.Step(make([]float64, c.n), make([]float64, c.n))
		}()
	}
}
