package runner

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/plots"
	"github.com/goebm/ebm/samplers"
)

func mergeFlags(fs *flag.FlagSet) {
	fs.String("out", "", "output directory of the merged run (required)")
	fs.Bool("quiet", false, "no progress output")
	fs.Bool("force", false, "write into an output directory that holds another run's outputs, removing them first")
	fs.String("format", "png", "figure file `format`: png, svg or pdf (as run's)")
}

// shardRunOf records a finished sampler's counters for manifest.json.
func shardRunOf(f finished) shardRun {
	name := "samples.npy"
	if f.subdir != "" {
		name = f.subdir + "/samples.npy"
	}
	return shardRun{Sampler: f.spec.Type, Samples: name, Warmup: f.res.Warmup, Sampling: f.res.Sampling,
		Swaps: f.res.Swaps, WallSeconds: f.res.Wall.Seconds()}
}

// shardDir is a shard's output directory as merge reads it.
type shardDir struct {
	dir string
	man struct {
		manifest
		Kind string `json:"kind"`
	}
}

// readShard reads dir's manifest.json and checks that it is a complete
// shard of a sampling run.
func readShard(dir string) (*shardDir, error) {
	s := &shardDir{dir: dir}
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		if st, serr := os.Stat(dir); serr != nil || !st.IsDir() {
			return nil, fmt.Errorf("merge: %s is not a directory; give the --out directories of ebmrun run --shard i/n", dir)
		}
		return nil, fmt.Errorf("merge: %s holds no manifest.json: not the output directory of a run", dir)
	}
	if err := json.Unmarshal(b, &s.man); err != nil {
		return nil, fmt.Errorf("merge: %s: manifest.json is not valid: %v", dir, oneLine(err.Error()))
	}
	switch {
	case s.man.Kind == "train" || inspectDir(dir).kindOr("") == "train":
		return nil, fmt.Errorf("merge: %s holds a training run; merge combines the shards of a sampling run (ebmrun run CONFIG --shard i/n)", dir)
	case s.man.Shard == nil:
		return nil, fmt.Errorf("merge: %s is a whole run, not a shard (it was not run with --shard i/n)", dir)
	case s.man.Partial:
		return nil, fmt.Errorf("merge: %s is shard %d/%d, which was interrupted (partial); run it again", dir, s.man.Shard.Index, s.man.Shard.Count)
	}
	return s, nil
}

// kindOr is the kind of run p holds, or def when p is nil.
func (p *priorRun) kindOr(def string) string {
	if p == nil {
		return def
	}
	return p.kind
}

// cmdMerge combines the shards of a sampling run into the outputs of the
// whole run: samples.npy byte for byte, and summary.json, the plots,
// config.toml and manifest.json written by the same code as run's.
//
// Memory: merge streams (merge_stream.go): each sampler's samples.npy is
// written shard by shard, and the diagnostics and plots read it back
// mapped from the file; the heap holds one shard's draws or per-draw
// statistics at a time, and the diagnostics' scratch for one dimension.
func cmdMerge(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if len(pos) == 0 {
		return fmt.Errorf("ebmrun merge: no shards given; want SHARD_DIR… (the --out directories of ebmrun run CONFIG --shard i/n)")
	}
	out := flagValue(fs, "out")
	if out == "" {
		return fmt.Errorf("ebmrun merge: --out DIR is required (the directory of the merged run)")
	}
	quiet := flagValue(fs, "quiet") == "true"
	format, err := plots.ParseFormat(flagValue(fs, "format"))
	if err != nil {
		return fmt.Errorf("ebmrun merge: --format: %v", err)
	}

	// Read and check every shard's manifest before reading any samples.
	var shards []*shardDir
	for _, d := range pos {
		s, err := readShard(d)
		if err != nil {
			return err
		}
		if same(s.dir, out) {
			return fmt.Errorf("merge: --out %s is one of the shards; choose another directory", out)
		}
		shards = append(shards, s)
	}
	ref := shards[0].man.Shard
	byIndex := make([]*shardDir, ref.Count)
	for _, s := range shards {
		r := s.man.Shard
		if r.ConfigSHA256 != ref.ConfigSHA256 {
			return fmt.Errorf("merge: %s comes from another config than %s (resolved config sha256 %.12s… vs %.12s…)", s.dir, shards[0].dir, r.ConfigSHA256, ref.ConfigSHA256)
		}
		if r.Count != ref.Count {
			return fmt.Errorf("merge: %s is shard %d/%d but %s is shard %d/%d: the shards of one merge split the chains the same way", s.dir, r.Index, r.Count, shards[0].dir, ref.Index, ref.Count)
		}
		if r.Index < 0 || r.Index >= r.Count {
			return fmt.Errorf("merge: %s: manifest.json names shard %d/%d, out of range", s.dir, r.Index, r.Count)
		}
		if o := byIndex[r.Index]; o != nil {
			return fmt.Errorf("merge: shard %d/%d is given twice: %s and %s", r.Index, r.Count, o.dir, s.dir)
		}
		byIndex[r.Index] = s
	}
	var missing []string
	for i, s := range byIndex {
		if s == nil {
			missing = append(missing, fmt.Sprint(i))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("merge: shard(s) %s of %d missing (shards are numbered 0…%d); give every shard's directory", strings.Join(missing, ", "), ref.Count, ref.Count-1)
	}

	// The config: the first shard's resolved config.toml, which must hash
	// to what every manifest records.
	c, err := Load(filepath.Join(byIndex[0].dir, "config.toml"), nil)
	if err != nil {
		return fmt.Errorf("merge: %s: %v", byIndex[0].dir, oneLine(err.Error()))
	}
	c.File = byIndex[0].man.Config
	if h := configHash(c); h != ref.ConfigSHA256 {
		return fmt.Errorf("merge: %s: config.toml does not match its manifest.json (sha256 %.12s… vs %.12s…); it was changed after the run", byIndex[0].dir, h, ref.ConfigSHA256)
	}
	next := 0
	for _, s := range byIndex {
		r := s.man.Shard
		lo, hi := r.Index*c.Run.Chains/r.Count, (r.Index+1)*c.Run.Chains/r.Count
		if r.First != lo || r.Chains != hi-lo || r.First != next {
			return fmt.Errorf("merge: %s: shard %d/%d holds chains %d…%d, want %d…%d of %d", s.dir, r.Index, r.Count, r.First, r.First+r.Chains-1, lo, hi-1, c.Run.Chains)
		}
		if len(r.Runs) != len(c.Samplers) {
			return fmt.Errorf("merge: %s: manifest.json records %d sampler(s), the config has %d", s.dir, len(r.Runs), len(c.Samplers))
		}
		next = hi
	}

	lock, err := claimOutDir(e, out, "sampling", c.Name, flagValue(fs, "force") == "true")
	if err != nil {
		return err
	}
	defer lock.release()

	man := newManifest(c, byIndex[0].man.Workers, e.args)
	man.Start, man.End = byIndex[0].man.Start, byIndex[0].man.End
	man.Merged = &mergeRecord{ConfigSHA256: ref.ConfigSHA256}
	for _, s := range byIndex {
		man.Merged.Shards = append(man.Merged.Shards, s.dir)
		if s.man.Start.Before(man.Start) {
			man.Start = s.man.Start
		}
		if s.man.End.After(man.End) {
			man.End = s.man.End
		}
	}
	// Until every sampler is merged, a failure (a bad shard, Ctrl-C)
	// removes the samples.npy files already streamed into out, so that
	// out holds nothing, as before the merge, and a rerun needs no --force.
	var runs []finished
	merged := false
	defer func() {
		if merged {
			return
		}
		for _, f := range runs {
			os.Remove(filepath.Join(out, f.subdir, "samples.npy"))
			if f.subdir != "" {
				os.Remove(filepath.Join(out, f.subdir)) // only when empty
			}
		}
	}()
	for k, sp := range c.Samplers {
		if ctx.Err() != nil {
			return errInterrupted
		}
		if !quiet {
			fmt.Fprintf(e.stderr, "merging %d shards of %s …\n", ref.Count, sp.Type)
		}
		f := finished{spec: sp, label: "[sampler]", samplesWritten: true}
		dir := out
		if len(c.Samplers) > 1 {
			f.label = fmt.Sprintf("[sampler #%d]", k+1)
			f.subdir = fmt.Sprintf("%d-%s", k+1, sp.Type)
			dir = filepath.Join(out, f.subdir)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return failure(fmt.Errorf("merge: cannot create %s: %v", dir, unwrapPath(err)))
			}
		}
		res, release, err := mergeSampler(c, byIndex, k, dir)
		if err != nil {
			if f.subdir != "" {
				os.Remove(dir) // only when empty
			}
			return err
		}
		defer release()
		f.res = res
		runs = append(runs, f)
	}
	merged = true
	err = writeOutputs(out, c, runs, man, false, e, quiet, format)
	probe()
	if err != nil {
		return failure(err)
	}
	return nil
}

// mergeAdaptation copies the adapted step sizes and inverse metrics of a
// shard's chains [first, first+n) from its adaptation.json (when the shard
// has one) into res.Adaptation.
func mergeAdaptation(res *samplers.Result, path string, first, n int) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %v", path, unwrapPath(err))
	}
	var a adaptationFile
	if err := json.Unmarshal(b, &a); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if len(a.StepSize) != n || (a.InvMetric != nil && len(a.InvMetric) != n) {
		return fmt.Errorf("%s: holds %d chains, the shard %d", path, len(a.StepSize), n)
	}
	if res.Adaptation == nil {
		res.Adaptation = &samplers.Adaptation{StepSize: make([]float64, res.Chains)}
		if a.InvMetric != nil {
			res.Adaptation.InvMetric = make([]float64, res.Chains*res.Dim)
		}
	}
	for i, v := range a.StepSize {
		res.Adaptation.StepSize[first+i] = float64(v)
	}
	for i, row := range a.InvMetric {
		if len(row) != res.Dim || res.Adaptation.InvMetric == nil {
			return fmt.Errorf("%s: inverse metric of chain %d has %d values, want %d", path, first+i, len(row), res.Dim)
		}
		for j, v := range row {
			res.Adaptation.InvMetric[(first+i)*res.Dim+j] = float64(v)
		}
	}
	return nil
}

// readNPYFile reads a float64 .npy file.
func readNPYFile(path string) ([]float64, []int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	data, shape, err := fileio.ReadNPY(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	return data, shape, nil
}

// same reports whether paths a and b name the same directory.
func same(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(sa, sb)
	}
	if errors.Is(err2, os.ErrNotExist) {
		return false
	}
	return filepath.Clean(a) == filepath.Clean(b)
}
