package runner

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/fileio"
)

// readNPZ reads every array of a .npz file by name.
func readNPZ(t *testing.T, path string) (map[string][]float64, map[string][]int) {
	t.Helper()
	arrays, err := fileio.ReadNPZFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data, shapes := map[string][]float64{}, map[string][]int{}
	for _, a := range arrays {
		data[a.Name], shapes[a.Name] = a.Data, a.Shape
	}
	return data, shapes
}

// statsConfig runs nuts with a step far too large for a narrow Gaussian
// and no adaptation, so that most transitions diverge, then mh.
const statsConfig = `name = "stats"
seed = 5

[energy]
type = "gaussian"
mean = [0.0, 0.0, 0.0]
std = [1.0, 0.1, 1.0]

[init]
type = "gaussian"
std = 0.1

[[sampler]]
type = "nuts"
step_size = 0.5
adapt = false
max_depth = 3

[[sampler]]
type = "mh"

[run]
chains = 3
warmup = 10
draws = 40
`

// TestRunSampleStats: every sampler's directory holds sample_stats.npz
// with arrays of shape (chains, draws) (lp equal to −E of the draws in
// the order of samples.npy, tree depths within max_depth) and
// adaptation.json; summary.json and the report name the divergences, and
// the exit status is 0.
func TestRunSampleStats(t *testing.T) {
	cfg := writeFile(t, "stats.toml", statsConfig)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli(t, "run", cfg, "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := map[string][]string{
		"1-nuts": {"lp", "acceptance_rate", "step_size", "tree_depth", "n_steps", "diverging", "energy"},
		"2-mh":   {"lp", "acceptance_rate", "step_size", "diverging"},
	}
	divs := 0.0
	for dir, names := range want {
		data, shapes := readNPZ(t, filepath.Join(out, dir, "sample_stats.npz"))
		got := slices.Sorted(func(yield func(string) bool) {
			for k := range data {
				if !yield(k) {
					return
				}
			}
		})
		if !slices.Equal(got, slices.Sorted(slices.Values(names))) {
			t.Errorf("%s: arrays %v, want %v", dir, got, names)
		}
		for k, s := range shapes {
			if !slices.Equal(s, []int{3, 40}) {
				t.Errorf("%s: %s has shape %v, want [3 40]", dir, k, s)
			}
		}
		if dir == "1-nuts" {
			for _, d := range data["tree_depth"] {
				if d < 0 || d > 3 {
					t.Fatalf("tree depth %v outside 0…3", d)
				}
			}
			for _, v := range data["diverging"] {
				divs += v
			}
		}
		b, err := os.ReadFile(filepath.Join(out, dir, "adaptation.json"))
		var a adaptationFile
		if err != nil || json.Unmarshal(b, &a) != nil || len(a.StepSize) != 3 {
			t.Errorf("%s/adaptation.json: %s (%v)", dir, b, err)
		}
		if dir == "1-nuts" && (len(a.InvMetric) != 3 || len(a.InvMetric[0]) != 3 || a.StepSize[0] != 0.5) {
			t.Errorf("nuts adaptation %+v, want step 0.5 and a 3×3 inverse metric", a)
		}
	}
	samples, _ := readNPY(t, filepath.Join(out, "1-nuts", "samples.npy"))
	data, _ := readNPZ(t, filepath.Join(out, "1-nuts", "sample_stats.npz"))
	for i, lp := range data["lp"] {
		x := samples[3*i : 3*i+3]
		// The gaussian energy is the exact negative log density.
		e := x[0]*x[0]/2 + x[1]*x[1]/(2*0.01) + x[2]*x[2]/2 + (3*math.Log(2*math.Pi)+math.Log(0.01))/2
		if d := lp + e; d > 1e-9*(1+e) || d < -1e-9*(1+e) {
			t.Fatalf("lp[%d] = %v, −E(draw) = %v", i, lp, -e)
		}
	}

	runs := readSummary(t, out)["runs"].([]any)
	nuts := runs[0].(map[string]any)
	if float64(int(divs)) != nuts["divergences"].(float64) || divs == 0 {
		t.Fatalf("diverging sums to %v, summary divergences %v (want equal, > 0)", divs, nuts["divergences"])
	}
	ws, _ := nuts["warnings"].([]any)
	found := false
	for _, w := range ws {
		found = found || strings.Contains(w.(string), "ended with a divergence") && strings.Contains(w.(string), "target_accept")
	}
	if !found {
		t.Errorf("summary.json warnings %v name no divergences", ws)
	}
	if !strings.Contains(stdout, "warning: ") || !strings.Contains(stdout, "ended with a divergence") {
		t.Errorf("the report names no divergences:\n%s", stdout)
	}
	if _, ok := nuts["ebfmi"].([]any); !ok {
		t.Errorf("nuts summary has no ebfmi: %v", nuts["ebfmi"])
	}
}
