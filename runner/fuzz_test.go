package runner

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/goebm/ebm/registry"
)

// fuzzMemory is the memory limit the config fuzzers run under: a config
// that asks for more must be refused, and no config, accepted or refused,
// may make the loader allocate more than it (plus fuzzSlack for the
// loader's own work).
const (
	fuzzMemory = 64 << 20
	fuzzSlack  = 64 << 20
)

// checkSizes fails when loading allocated more than the fuzz limit, or when
// a refusal for memory is not a *registry.TooLargeError naming the keys.
func checkSizes(t *testing.T, before runtime.MemStats, err error) {
	t.Helper()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > fuzzMemory+fuzzSlack {
		t.Fatalf("loading allocated %d bytes, more than the %d-byte limit: the size check came too late (err: %v)", got, fuzzMemory, err)
	}
	var tl *registry.TooLargeError
	if err != nil && strings.Contains(err.Error(), "of memory") && !errors.As(err, &tl) {
		t.Fatalf("a memory refusal that is not a TooLargeError: %v", err)
	}
}

// FuzzConfig feeds arbitrary bytes to the config loader: it must return a
// config or an error, never panic or allocate beyond the memory limit,
// and an accepted config must render a resolved config that loads again.
// Large numbers are part of the game: they validate or are refused.
func FuzzConfig(f *testing.F) {
	f.Add([]byte(tinyConfig))
	f.Add([]byte("[energy]\ntype = \"gmm\"\nmeans = [[0.0], [1.0]]\n[[sampler]]\ntype = \"hmc\"\n[[sampler]]\ntype = \"nuts\"\n"))
	f.Add([]byte("seed = -1\nname = 3\n[run]\nchains = 0\n"))
	f.Add([]byte("[init]\ntype = \"uniform\"\nlow = [0, 1]\nhigh = 2\n"))
	f.Add([]byte("x = = 1"))
	f.Add([]byte("[energy]\ntype = \"funnel\"\ndim = 1000000000\n[sampler]\ntype = \"mh\"\n"))
	f.Add([]byte("[energy]\ntype = \"banana\"\n[sampler]\ntype = \"mh\"\n[run]\nchains = 1000000000\ndraws = 1000000000000\n"))
	f.Add([]byte("x = " + strings.Repeat("{a=", 200) + "1" + strings.Repeat("}", 200)))
	f.Add([]byte("x = " + strings.Repeat("[", 65) + strings.Repeat("]", 65)))
	f.Fuzz(func(t *testing.T, src []byte) {
		t.Setenv(memoryEnv, "64MiB")
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		c, err := Parse("fuzz.toml", src, nil)
		checkSizes(t, before, err)
		if err != nil {
			return
		}
		if _, err := Parse("resolved.toml", []byte(c.ResolvedTOML()), nil); err != nil {
			t.Fatalf("accepted config's resolved form does not load: %v\n%s", err, c.ResolvedTOML())
		}
	})
}

// FuzzTrainConfig does the same for training configs. Inputs naming files
// are skipped (they may read arbitrary files); large numbers are not: they
// validate or are refused within the memory limit.
func FuzzTrainConfig(f *testing.F) {
	f.Add([]byte("[data]\ntype = \"moons\"\nn = 300\n[energy]\ntype = \"mlp\"\ndim = 2\nhidden = [8]\n[objective]\ntype = \"dsm\"\n[optimizer]\ntype = \"adam\"\n[train]\nsteps = 5\nbatch_size = 16\n"))
	f.Add([]byte("[data]\ntype = \"8gaussians\"\nn = 100\n[energy]\ntype = \"mlp\"\ndim = 3\n[objective]\ntype = \"pcd\"\n[objective.sampler]\ntype = \"ula\"\n[train]\nsteps = -1\n"))
	f.Add([]byte("[objective]\ntype = \"sm\"\n[eval]\nbounds = [1, 0]\n"))
	f.Add([]byte("[data]\ntype = \"moons\"\nn = 100000000000\n[energy]\ntype = \"mlp\"\nhidden = [100000, 100000]\n[objective]\ntype = \"pcd\"\nbuffer = 1000000000000\n[train]\nbatch_size = 1000000000\n[eval]\nres = 1000000\n[sample]\nchains = 1000000000\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if bytes.Contains(src, []byte("path")) || bytes.Contains(src, []byte("csv")) || bytes.Contains(src, []byte("npy")) || bytes.Contains(src, []byte("checkpoint")) || bytes.Contains(src, []byte("mnist")) || bytes.Contains(src, []byte("idx")) || bytes.Contains(src, []byte("images")) {
			return
		}
		t.Setenv(memoryEnv, "64MiB")
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		c, err := ParseTrain("fuzz.toml", src, nil)
		checkSizes(t, before, err)
		if err != nil {
			return
		}
		if _, err := ParseTrain("resolved.toml", []byte(c.ResolvedTOML()), nil); err != nil {
			t.Fatalf("accepted config's resolved form does not load: %v\n%s", err, c.ResolvedTOML())
		}
	})
}
