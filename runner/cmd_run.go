package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/goebm/ebm/plots"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

func runFlags(fs *flag.FlagSet) {
	overrideFlags(fs, new(setList))
	fs.String("out", "", "output directory (default runs/<name>)")
	fs.Bool("quiet", false, "no progress output")
	fs.String("resume", "", "continue the interrupted training run in `DIR` from its config.toml and checkpoint.ebm\n(no CONFIG; ends bit-identical to an uninterrupted run); with --set train.steps=N, extend a finished one")
	fs.String("format", "png", "figure file `format`: png, svg or pdf")
	fs.Bool("force", false, "write into an output directory that holds another run's outputs, removing them first")
	fs.String("shard", "", "run shard `i/n` of a sampling config: the i-th of n contiguous blocks of chains, numbered from 0\n(auto: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX); combine the shards with ebmrun merge")
	fs.String("shards", "", "the number of shards for --shard auto under a Kubernetes Indexed Job (default $EBM_SHARDS)")
}

func validateFlags(fs *flag.FlagSet) {
	overrideFlags(fs, new(setList))
	fs.String("out", "", "output directory to check (default runs/<name>); nothing is created")
}

// flagValue returns the flag's value as a string ("" when undefined).
func flagValue(fs *flag.FlagSet, name string) string {
	if f := fs.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// flagSets returns the collected --set/--seed/--workers overrides.
func flagSets(fs *flag.FlagSet) []string {
	if f := fs.Lookup("set"); f != nil {
		return *f.Value.(*setList)
	}
	return nil
}

// progressHook, when set (by tests), is called after each progress update.
var progressHook func(done, total int)

func cmdValidate(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := positional("validate", pos, 1, 1, "one CONFIG file"); err != nil {
		return err
	}
	if isTrainFile(pos[0]) {
		return cmdValidateTrain(e, fs, pos[0])
	}
	c, err := Load(pos[0], flagSets(fs))
	if err != nil {
		return err
	}
	printWarnings(e, c.Warnings)
	if err := checkOutDir(outDir(c, flagValue(fs, "out")), false); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: ok: energy %s (dim %d), init %s, %s, %d chains × (%d warmup + %d draws × thin %d)\n",
		c.File, c.EnergyType, c.Energy.Dim(), c.InitType, samplerList(c), c.Run.Chains, c.Run.Warmup, c.Run.Draws, c.Run.Thin)
	return nil
}

func samplerList(c *Config) string {
	s := "sampler"
	if len(c.Samplers) > 1 {
		s += "s"
	}
	for i, sp := range c.Samplers {
		if i > 0 {
			s += ","
		}
		s += " " + sp.Type
	}
	return s
}

// printWarnings shows a config's warnings on standard error.
func printWarnings(e *env, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintln(e.stderr, "ebmrun: warning: "+w)
	}
}

// outDir is --out, or runs/<name>.
func outDir(c *Config, flagOut string) string {
	if flagOut != "" {
		return flagOut
	}
	return filepath.Join("runs", c.Name)
}

// checkOutDir checks that dir can receive the outputs; with create it makes
// the directory, otherwise it only checks that the nearest existing
// ancestor is a directory.
func checkOutDir(dir string, create bool) error {
	if !create {
		for d := dir; ; d = filepath.Dir(d) {
			st, err := os.Stat(d)
			if err == nil {
				if !st.IsDir() {
					return fmt.Errorf("output directory %s: %s is not a directory; choose another --out", dir, d)
				}
				return nil
			}
			if filepath.Dir(d) == d {
				return nil
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create output directory %s: %v; choose another --out", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".ebmrun-probe-*")
	if err != nil {
		return fmt.Errorf("output directory %s is not writable: %v; choose another --out", dir, unwrapPath(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// unwrapPath drops the path from an *os.PathError (the message names it already).
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// finished is one sampler's result with its place in the output directory.
type finished struct {
	spec   SamplerSpec
	label  string // "[sampler]" or "[sampler #2]"
	subdir string // "" or "2-hmc"
	res    *samplers.Result
	// samplesWritten: samples.npy is in place already (merge streams it
	// there, and res.Samples maps it), so writeOutputs does not write it.
	samplesWritten bool
}

func cmdRun(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	shardSpec := flagValue(fs, "shard")
	if shardSpec == "" && flagValue(fs, "shards") != "" {
		return fmt.Errorf("ebmrun run: --shards counts the shards of --shard auto; pass --shard auto too")
	}
	format, err := plots.ParseFormat(flagValue(fs, "format"))
	if err != nil {
		return fmt.Errorf("ebmrun run: --format: %v", err)
	}
	if dir := flagValue(fs, "resume"); dir != "" {
		if shardSpec != "" {
			return fmt.Errorf("ebmrun run: --shard does not go with --resume (training runs are not sharded)")
		}
		return cmdResume(ctx, e, fs, pos, dir)
	}
	if err := positional("run", pos, 1, 1, "one CONFIG file"); err != nil {
		return err
	}
	if isTrainFile(pos[0]) {
		if shardSpec != "" {
			return fmt.Errorf("%s: --shard splits the chains of a sampling config; this is a training config, which is not sharded", pos[0])
		}
		return cmdTrain(ctx, e, fs, pos[0])
	}
	nshards := 1
	if shardSpec != "" {
		if _, n, err := shardIndex(shardSpec, flagValue(fs, "shards")); err == nil {
			nshards = n // a bad spec is reported below, with the chains known
		}
	}
	c, err := loadShards(pos[0], flagSets(fs), nshards)
	if err != nil {
		return err
	}
	var shard *shardPos
	if shardSpec != "" {
		if shard, err = parseShard(shardSpec, flagValue(fs, "shards"), c.Run.Chains); err != nil {
			return fmt.Errorf("%s: %v", c.File, err)
		}
	}
	printWarnings(e, c.Warnings)
	spotCheckRun(e, c)
	dir := outDir(c, flagValue(fs, "out"))
	if shard != nil && flagValue(fs, "out") == "" {
		dir = filepath.Join(dir, fmt.Sprintf("shard-%d-of-%d", shard.Index, shard.Count))
	}
	lock, err := claimOutDir(e, dir, "sampling", c.Name, flagValue(fs, "force") == "true")
	if err != nil {
		return err
	}
	defer lock.release()
	quiet := flagValue(fs, "quiet") == "true"

	workers := c.Run.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	first, chains := 0, c.Run.Chains
	if shard != nil {
		first, chains = shard.First, shard.Chains
		if !quiet {
			fmt.Fprintf(e.stderr, "shard %d/%d: chains %d…%d of %d\n", shard.Index, shard.Count, first, first+chains-1, c.Run.Chains)
		}
	}
	man := newManifest(c, min(workers, chains), e.args)
	if shard != nil {
		man.Shard = &shardRecord{shardPos: *shard, ConfigSHA256: configHash(c), Runs: []shardRun{}}
	}
	man.Start = time.Now()
	var runs []finished
	interrupted := false
	for i, sp := range c.Samplers {
		f := finished{spec: sp, label: "[sampler]"}
		label := sp.Type
		if len(c.Samplers) > 1 {
			f.label = fmt.Sprintf("[sampler #%d]", i+1)
			f.subdir = fmt.Sprintf("%d-%s", i+1, sp.Type)
			label = fmt.Sprintf("[%d/%d] %s", i+1, len(c.Samplers), sp.Type)
		}
		p := newProgress(e.stderr, label, quiet)
		init := c.Init
		opts := samplers.Options{
			Chains: chains, First: first, Warmup: c.Run.Warmup, Draws: c.Run.Draws, Thin: c.Run.Thin,
			Seed: uint64(c.Seed), Workers: c.Run.Workers, Stats: true,
			Init: func(_ int, r *rng.Stream, x []float64) { init.Fill(x, r) },
			Progress: func(done, total int) {
				p.update(done, total)
				if progressHook != nil {
					progressHook(done, total)
				}
			},
		}
		unpin := pin(c.Energy)
		res, err := samplers.Run(ctx, c.Energy, sp.Sampler, opts)
		unpin()
		if err != nil {
			p.stop()
		} else {
			p.finish()
		}
		if err != nil && (res == nil || ctx.Err() == nil) {
			return failure(fmt.Errorf("%s: %s (%s): %v", c.File, f.label, sp.Type, err))
		}
		f.res = res
		runs = append(runs, f)
		if err != nil {
			interrupted = true
			break
		}
	}
	man.End = time.Now()
	man.Partial = interrupted
	if man.Shard != nil {
		for _, f := range runs {
			man.Shard.Runs = append(man.Shard.Runs, shardRunOf(f))
		}
	}
	werr := writeOutputs(dir, c, runs, man, interrupted, e, quiet, format)
	if interrupted {
		if werr != nil {
			fmt.Fprintln(e.stderr, werr)
		}
		return errInterrupted
	}
	if werr != nil {
		return failure(werr)
	}
	return nil
}
