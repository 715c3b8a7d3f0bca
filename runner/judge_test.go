package runner

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goebm/ebm/rng"
)

// writeIDXPair writes n 8×8 grey images of two classes (a bright left or
// right half, plus noise) and their labels as IDX files in dir.
func writeIDXPair(t *testing.T, dir string, n int) {
	t.Helper()
	img := binary.BigEndian.AppendUint32(nil, 2051)
	for _, v := range []uint32{uint32(n), 8, 8} {
		img = binary.BigEndian.AppendUint32(img, v)
	}
	lab := binary.BigEndian.AppendUint32(nil, 2049)
	lab = binary.BigEndian.AppendUint32(lab, uint32(n))
	r := rng.New(9, 0)
	for i := range n {
		c := i % 2
		lab = append(lab, byte(c))
		for range 8 {
			for x := range 8 {
				v := 40 * r.Float64()
				if (x < 4) == (c == 0) {
					v += 200
				}
				img = append(img, byte(v))
			}
		}
	}
	for name, b := range map[string][]byte{"img.idx": img, "lab.idx": lab} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const judgeTrain = `seed = 5
[data]
type = "idx"
path = "img.idx"
labels = "lab.idx"
[energy]
type = "mlp"
hidden = [16]
quadratic = 0.5
[objective]
type = "dsm"
sigma = 0.1
[optimizer]
type = "adam"
lr = 0.01
[train]
steps = 4
batch_size = 16
holdout = 0.25
[sample]
chains = 16
warmup = 5
draws = 2
[eval]
ais = false
nn = false
denoise_sigmas = []
`

// An image training run on labeled data is judged by the independent
// classifier by default; eval.classifier = false turns it off, and data
// without labels leave a note instead.
func TestTrainJudgesSamples(t *testing.T) {
	dir := t.TempDir()
	writeIDXPair(t, dir, 200)
	cfg := filepath.Join(dir, "judge.toml")
	if err := os.WriteFile(cfg, []byte(judgeTrain), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func(out string) map[string]any {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, "eval.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	out := filepath.Join(dir, "on")
	if code, _, stderr := cli(t, "run", cfg, "--out", out, "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	q, ok := read(out)["quality"].(map[string]any)
	if !ok {
		t.Fatalf("eval.json has no quality object")
	}
	if q["classes"] != 2.0 {
		t.Errorf("classes = %v, want 2", q["classes"])
	}
	if acc := q["classifier"].(map[string]any)["heldout_accuracy"].(float64); acc < 0.95 {
		t.Errorf("the classifier's held-out accuracy %v on two separable classes, want ≥ 0.95", acc)
	}
	if s := q["samples"].(map[string]any); s["n"] != 32.0 {
		t.Errorf("samples judged: %v, want the 16 chains × 2 draws", s["n"])
	}

	off := filepath.Join(dir, "off")
	if code, _, stderr := cli(t, "run", cfg, "--out", off, "--quiet", "--set", "eval.classifier=false"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, ok := read(off)["quality"]; ok {
		t.Errorf("eval.classifier = false still judged the samples")
	}

	if err := os.WriteFile(cfg, []byte(strings.Replace(judgeTrain, "labels = \"lab.idx\"\n", "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	none := filepath.Join(dir, "nolabels")
	if code, _, stderr := cli(t, "run", cfg, "--out", none, "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := read(none)
	if _, ok := m["quality"]; ok {
		t.Errorf("data without labels were judged")
	}
	found := false
	for _, n := range m["notes"].([]any) {
		found = found || strings.HasPrefix(n.(string), "classifier: skipped")
	}
	if !found {
		t.Errorf("no note says why the classifier was skipped: %v", m["notes"])
	}
}

// A bad data file is one line of error: the energy, which takes its
// dimension from the data, does not add a second about its dim.
func TestBadDataOneLine(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "img.idx"), []byte("not an idx file"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "bad.toml")
	src := strings.Replace(judgeTrain, "labels = \"lab.idx\"\n", "", 1)
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := cli(t, "run", cfg, "--out", filepath.Join(dir, "out"), "--quiet")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], `[data] (idx): key "path"`) {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 2 and one line naming [data] path", code, stderr)
	}
}
