package runner

import (
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
