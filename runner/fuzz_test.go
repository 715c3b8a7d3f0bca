package runner

import (
	"bytes"
	"testing"
)

// FuzzConfig feeds arbitrary bytes to the config loader: it must return a
// config or an error, never panic, and an accepted config must render a
// resolved config that loads again.
func FuzzConfig(f *testing.F) {
	f.Add([]byte(tinyConfig))
	f.Add([]byte("[energy]\ntype = \"gmm\"\nmeans = [[0.0], [1.0]]\n[[sampler]]\ntype = \"hmc\"\n[[sampler]]\ntype = \"nuts\"\n"))
	f.Add([]byte("seed = -1\nname = 3\n[run]\nchains = 0\n"))
	f.Add([]byte("[init]\ntype = \"uniform\"\nlow = [0, 1]\nhigh = 2\n"))
	f.Add([]byte("x = = 1"))
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := Parse("fuzz.toml", src, nil)
		if err != nil {
			return
		}
		if _, err := Parse("resolved.toml", []byte(c.ResolvedTOML()), nil); err != nil {
			t.Fatalf("accepted config's resolved form does not load: %v\n%s", err, c.ResolvedTOML())
		}
	})
}

// FuzzTrainConfig does the same for training configs. Inputs with numbers
// of four or more digits, or naming files, are skipped: they may ask for
// gigabytes of data or parameters (a valid request, not a parser bug) or
// read arbitrary files.
func FuzzTrainConfig(f *testing.F) {
	f.Add([]byte("[data]\ntype = \"moons\"\nn = 300\n[energy]\ntype = \"mlp\"\ndim = 2\nhidden = [8]\n[objective]\ntype = \"dsm\"\n[optimizer]\ntype = \"adam\"\n[train]\nsteps = 5\nbatch_size = 16\n"))
	f.Add([]byte("[data]\ntype = \"8gaussians\"\nn = 100\n[energy]\ntype = \"mlp\"\ndim = 3\n[objective]\ntype = \"pcd\"\n[objective.sampler]\ntype = \"ula\"\n[train]\nsteps = -1\n"))
	f.Add([]byte("[objective]\ntype = \"sm\"\n[eval]\nbounds = [1, 0]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		run := 0
		for _, b := range src {
			if b >= '0' && b <= '9' {
				if run++; run >= 4 {
					return
				}
			} else {
				run = 0
			}
		}
		if bytes.Contains(src, []byte("path")) || bytes.Contains(src, []byte("csv")) || bytes.Contains(src, []byte("npy")) || bytes.Contains(src, []byte("checkpoint")) {
			return
		}
		c, err := ParseTrain("fuzz.toml", src, nil)
		if err != nil {
			return
		}
		if _, err := ParseTrain("resolved.toml", []byte(c.ResolvedTOML()), nil); err != nil {
			t.Fatalf("accepted config's resolved form does not load: %v\n%s", err, c.ResolvedTOML())
		}
	})
}
