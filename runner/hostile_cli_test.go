package runner

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/simd"
)

// The hostile-input catalogue of the CLI's own commands: `energy` (its
// inputs, outputs and points), help, --version, EBM_SIMD and the honesty
// of the diagnostics a run prints.

const (
	gmmOnly  = "[energy]\ntype = \"gmm\"\nmeans = [[-2.0, 0.0], [2.0, 0.0]]\n"
	gmmFull  = "[energy]\ntype = \"gmm\"\nmeans = [[-2.0, 0.0], [2.0, 0.0]]\ncovs = [[[1.0, 0.0], [0.0, 1.0]], [[4.0, 0.0], [0.0, 4.0]]]\n"
	gmmRun   = gmmOnly + "[sampler]\ntype = \"mh\"\n[run]\nchains = 2\nwarmup = 20\ndraws = 30\n"
	trainCfg = "[data]\ntype = \"moons\"\n[energy]\ntype = \"mlp\"\nhidden = [8]\n[objective]\ntype = \"dsm\"\n[train]\nsteps = 2\n"
	ptsCSV   = "x,y\n0.5,0\n-1,2\n"
	// stuckRun: every HMC proposal diverges, so no chain ever moves.
	stuckRun = "[energy]\ntype = \"gaussian\"\nmean = [0.0, 0.0]\n[sampler]\ntype = \"hmc\"\nstep_size = 1000.0\nadapt = false\n" +
		"[run]\nchains = 4\nwarmup = 0\ndraws = 40\n"
)

// npyFile is the NPY encoding of data with the given shape.
func npyFile(data []float64, shape ...int) string {
	var b bytes.Buffer
	if err := fileio.WriteNPY(&b, data, shape...); err != nil {
		panic(err)
	}
	return b.String()
}

// unchanged checks that the named files of the case still hold what it wrote.
func unchanged(files map[string]string, names ...string) func(t *testing.T, dir, stdout, stderr string) {
	return func(t *testing.T, dir, _, _ string) {
		for _, n := range names {
			got, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil || string(got) != files[n] {
				t.Errorf("%s was changed or removed (err %v): %q", n, err, got)
			}
		}
	}
}

// lacks checks that the combined output holds none of bad.
func lacks(bad ...string) func(t *testing.T, dir, stdout, stderr string) {
	return func(t *testing.T, _, stdout, stderr string) {
		for _, b := range bad {
			if strings.Contains(stdout+stderr, b) {
				t.Errorf("output holds %q\nstdout: %s\nstderr: %s", b, stdout, stderr)
			}
		}
	}
}

// csvRows returns the data rows of `energy`'s CSV output.
func csvRows(stdout string) []string {
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	return lines[1:]
}

var (
	outFiles = map[string]string{"e.toml": gmmOnly, "pts.csv": ptsCSV, "ck.ebm": "not read: --out is refused first"}
	samples  = npyFile([]float64{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, 2, 3, 2) // chain 0: 0,1,2; chain 1: 3,4,5
)

var hostileCLI = []hostileCase{
	// Friction: an unterminated table header is reported on its own line.
	{name: "unterminated table header", files: map[string]string{"u.toml": "name = \"x\"\n[energy\ntype = \"gaussian\"\n"},
		args: []string{"validate", "$DIR/u.toml"}, code: exitUsage,
		want: []string{"$DIR/u.toml:2: TOML syntax error"}},
	// Point 7: --out never replaces an input.
	{name: "energy --out is the config", files: outFiles,
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/pts.csv", "--out", "$DIR/e.toml"}, code: exitUsage,
		want: []string{"--out $DIR/e.toml is the config file", "choose another --out"}, check: unchanged(outFiles, "e.toml", "pts.csv")},
	{name: "energy --out is the points file", files: outFiles,
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/pts.csv", "--out", "$DIR/pts.csv"}, code: exitUsage,
		want: []string{"is the points file"}, check: unchanged(outFiles, "e.toml", "pts.csv")},
	{name: "energy --out is the points file spelt otherwise", files: outFiles,
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/pts.csv", "--out", "$DIR/./sub/../pts.csv"}, code: exitUsage,
		want: []string{"is the points file"}, check: unchanged(outFiles, "pts.csv")},
	{name: "energy --out is the checkpoint", files: outFiles,
		args: []string{"energy", "--checkpoint", "$DIR/ck.ebm", "--points", "$DIR/pts.csv", "--out", "$DIR/ck.ebm"}, code: exitUsage,
		want: []string{"is the checkpoint file"}, check: unchanged(outFiles, "ck.ebm", "pts.csv")},
	{name: "energy --out beside the inputs works", files: outFiles,
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/pts.csv", "--out", "$DIR/out.csv"}, code: exitOK,
		check: func(t *testing.T, dir, _, _ string) {
			if b, err := os.ReadFile(filepath.Join(dir, "out.csv")); err != nil || len(csvRows(string(b))) != 2 {
				t.Errorf("out.csv: %v %q, want a header and 2 rows", err, b)
			}
		}},

	// Point 8: non-finite points are refused, naming the place.
	{name: "energy NaN in CSV", files: map[string]string{"e.toml": gmmOnly, "p.csv": "x,y\n# comment\n1,2\n\n3,NaN\n"},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/p.csv"}, code: exitUsage,
		want: []string{"$DIR/p.csv:5: column 2: NaN; every value must be finite"}, check: lacks("energy,grad_0")},
	{name: "energy Inf in CSV", files: map[string]string{"e.toml": gmmOnly, "p.csv": "-inf 1\n"},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/p.csv"}, code: exitUsage,
		want: []string{"$DIR/p.csv:1: column 1: -Inf"}},
	{name: "energy NaN in NPY", files: map[string]string{"e.toml": gmmOnly, "p.npy": npyFile([]float64{0, 0, math.NaN(), 1}, 2, 2)},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/p.npy"}, code: exitUsage,
		want: []string{"element [1, 0] (row, column from 0) is NaN; every value must be finite"}},
	{name: "energy Inf in samples.npy", files: map[string]string{"e.toml": gmmOnly, "s.npy": npyFile([]float64{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, math.Inf(1), 5}, 2, 3, 2)},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/s.npy"}, code: exitUsage,
		want: []string{"element [1, 2, 0] (chain, draw, column from 0) is +Inf"}},
	{name: "energy 4-D NPY", files: map[string]string{"e.toml": gmmOnly, "s.npy": npyFile(make([]float64, 4), 1, 1, 2, 2)},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/s.npy"}, code: exitUsage,
		want: []string{"want (n, dim)", "(chains, draws, dim)"}},
	{name: "energy missing points file", files: map[string]string{"e.toml": gmmOnly},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/nope.csv"}, code: exitUsage,
		want: []string{"$DIR/nope.csv: no such points file"}},

	// Point 9: gmm far from its modes is +Inf, never NaN.
	{name: "energy gmm far points", files: map[string]string{"e.toml": gmmOnly, "p.csv": "1e160,0\n0,0\n-1e200,1e200\n"},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/p.csv"}, code: exitOK,
		want: []string{"+Inf,1e+160,0\n", "3.8378770664093453,0,0\n", "+Inf,-1e+200,1e+200\n"}, check: lacks("NaN")},
	{name: "energy gmm full covariances far", files: map[string]string{"e.toml": gmmFull, "p.csv": "1e160,1e170\n"},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/p.csv"}, code: exitOK,
		want: []string{"+Inf,2.5e+159,2.5e+169\n"}, check: lacks("NaN")},

	// Point 10 and the [energy]-only friction.
	{name: "energy training config", files: map[string]string{"t.toml": trainCfg, "p.csv": ptsCSV},
		args: []string{"energy", "$DIR/t.toml", "--points", "$DIR/p.csv"}, code: exitUsage,
		want:  []string{"a training config", "no fixed parameters before training", "ebmrun energy --checkpoint RUN_DIR/checkpoint.ebm"},
		check: lacks("LoadTrain")},
	{name: "energy config with only [energy]", files: map[string]string{"e.toml": gmmOnly, "p.csv": ptsCSV},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/p.csv"}, code: exitOK,
		want: []string{"energy,grad_0,grad_1\n"}, check: lacks("[sampler]")},
	{name: "energy config with only [energy] and --set", files: map[string]string{"e.toml": gmmOnly, "p.csv": "2,0\n"},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/p.csv", "--set", "energy.means=[[2.0, 0.0]]"}, code: exitOK,
		want: []string{"\n1.8378770664093453,0,0\n"}},
	{name: "energy config unknown top-level key", files: map[string]string{"e.toml": "nmae = \"x\"\n" + gmmOnly, "p.csv": ptsCSV},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/p.csv"}, code: exitUsage,
		want: []string{`unknown top-level key "nmae" (did you mean "name"?)`}},
	{name: "energy on samples.npy, chain-major", files: map[string]string{"e.toml": "[energy]\ntype = \"gaussian\"\nmean = [0.0, 0.0]\n", "s.npy": samples},
		args: []string{"energy", "$DIR/e.toml", "--points", "$DIR/s.npy"}, code: exitOK,
		check: func(t *testing.T, _, stdout, _ string) {
			rows := csvRows(stdout)
			if len(rows) != 6 {
				t.Fatalf("%d rows, want chains × draws = 6:\n%s", len(rows), stdout)
			}
			// Points (v, v) for v = 0…5 in chain-major order under a
			// standard normal, whose gradient is x: grad_1 reads 0…5.
			for i, r := range rows {
				if c := strings.Split(r, ","); len(c) != 3 || c[2] != []string{"0", "1", "2", "3", "4", "5"}[i] {
					t.Errorf("row %d = %q, want grad_1 = %d (chain-major order)", i, r, i)
				}
			}
		}},
	{name: "energy on a run's samples.npy", files: map[string]string{"c.toml": gmmRun},
		args: []string{"run", "$DIR/c.toml", "--out", "$DIR/run", "--quiet"}, code: exitOK,
		check: func(t *testing.T, dir, _, _ string) {
			code, stdout, stderr := cli(t, "energy", filepath.Join(dir, "c.toml"), "--points", filepath.Join(dir, "run", "samples.npy"))
			if code != 0 || len(csvRows(stdout)) != 2*30 {
				t.Errorf("energy on the run's samples.npy: exit %d, %d rows, want 0 and 60\n%s", code, len(csvRows(stdout)), stderr)
			}
		}},

	// Frictions: help, version, the checkpoint sample.
	{name: "--version", args: []string{"--version"}, code: exitOK,
		want: []string{"ebmrun github.com/goebm/ebm ", runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH}},
	{name: "version", args: []string{"version"}, code: exitOK, want: []string{"ebmrun github.com/goebm/ebm "}},
	{name: "energy --help lists --flags", args: []string{"energy", "--help"}, code: exitOK,
		want: []string{"\n  --out string", "\n  --points string", "\n  --checkpoint string", "chain-major"}, check: lacks("\n  -out", "\n  -points")},
	{name: "run --help lists --flags", args: []string{"help", "run"}, code: exitOK,
		want: []string{"\n  --set value", "\n  --out "}, check: lacks("\n  -set", "\n  -out")},
	{name: "config checkpoint names checkpoint.ebm", args: []string{"config", "energy/checkpoint"}, code: exitOK,
		want: []string{`path = "runs/train-dsm-moons/checkpoint.ebm"`}, check: lacks("model.ckpt")},
	{name: "resolved config records mh's scale", files: map[string]string{"c.toml": gmmRun},
		args: []string{"run", "$DIR/c.toml", "--out", "$DIR/run", "--quiet"}, code: exitOK,
		check: func(t *testing.T, dir, _, _ string) {
			b, err := os.ReadFile(filepath.Join(dir, "run", "config.toml"))
			if err != nil || !strings.Contains(string(b), "scale = 1.6829141392239828\n") {
				t.Errorf("config.toml (err %v) lacks scale = 2.38/√2:\n%s", err, b)
			}
		}},

	// Point 12: chains that never moved have no ESS.
	{name: "ESS of stuck chains", files: map[string]string{"c.toml": stuckRun},
		args: []string{"run", "$DIR/c.toml", "--out", "$DIR/run"}, code: exitOK,
		want: []string{"160 divergences"},
		check: func(t *testing.T, dir, _, _ string) {
			var s struct {
				Runs []struct {
					Draws, Chains int
					ESSBulk       []*float64 `json:"ess_bulk"`
					ESSTail       []*float64 `json:"ess_tail"`
				}
			}
			b, err := os.ReadFile(filepath.Join(dir, "run", "summary.json"))
			if err == nil {
				err = json.Unmarshal(b, &s)
			}
			if err != nil || len(s.Runs) != 1 {
				t.Fatalf("summary.json: %v\n%s", err, b)
			}
			for j, v := range append(s.Runs[0].ESSBulk, s.Runs[0].ESSTail...) {
				if v != nil {
					t.Errorf("ESS %d of chains that never moved = %v, want null", j, *v)
				}
			}
		}},
}

func TestHostileCLI(t *testing.T) { runHostile(t, hostileCLI) }

// TestHostileSIMD runs ebmrun under bad and odd EBM_SIMD values: names
// match in any case; an unknown name, or one this machine cannot run,
// warns in one line on every command and runs the best implementation
// instead of silently downgrading to generic.
func TestHostileSIMD(t *testing.T) {
	t.Cleanup(func() { simd.UseEnv() }) // after t.Setenv restores EBM_SIMD
	best := simd.Available()[len(simd.Available())-1]
	avail := strings.Join(simd.Available(), ", ")
	other := "neon" // an implementation of the other architecture
	if runtime.GOARCH == "arm64" {
		other = "avx2"
	}
	warnOther := "ebmrun: warning: EBM_SIMD=" + other + ": not available on this machine or build"
	cases := []struct {
		env string
		c   hostileCase
	}{
		{"bogus", hostileCase{name: "EBM_SIMD=bogus info", args: []string{"info"}, code: exitOK,
			want: []string{"ebmrun: warning: EBM_SIMD=bogus: unknown implementation; using " + best + " (available: " + avail + ")\n",
				"kernels:   " + best + " "}}},
		{"bogus", hostileCase{name: "EBM_SIMD=bogus run", files: map[string]string{"c.toml": gmmRun},
			args: []string{"run", "$DIR/c.toml", "--out", "$DIR/run", "--quiet"}, code: exitOK,
			want: []string{"ebmrun: warning: EBM_SIMD=bogus: unknown implementation; using " + best},
			check: func(t *testing.T, _, _, stderr string) {
				if n := strings.Count(stderr, "EBM_SIMD"); n != 1 {
					t.Errorf("the warning appears %d times, want once:\n%s", n, stderr)
				}
			}}},
		{"bogus", hostileCase{name: "EBM_SIMD=bogus list", args: []string{"list", "samplers"}, code: exitOK,
			want: []string{"ebmrun: warning: EBM_SIMD=bogus"}}},
		{strings.ToUpper(best), hostileCase{name: "EBM_SIMD in capitals", args: []string{"info"}, code: exitOK,
			want: []string{"kernels:   " + best + " "}, check: lacks("warning")}},
		{"Generic", hostileCase{name: "EBM_SIMD=Generic", args: []string{"info"}, code: exitOK,
			want: []string{"kernels:   generic "}, check: lacks("warning")}},
		{other, hostileCase{name: "EBM_SIMD of the other architecture", args: []string{"info"}, code: exitOK,
			want: []string{warnOther, "; using " + best + " (available: " + avail + ")", "kernels:   " + best + " "}}},
	}
	for _, c := range cases {
		t.Setenv("EBM_SIMD", c.env)
		simd.UseEnv()
		runHostile(t, []hostileCase{c.c})
	}
}
