package runner

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/goebm/ebm/bench"
)

func benchFlags(fs *flag.FlagSet) {
	fs.String("impl", "", "comma-separated SIMD implementations to time the kernels in (default: every available one)")
	fs.String("samplers", "", "comma-separated samplers to time end to end: ula, mala, hmc, nuts (on the 8-mode GMM), hmc_rosenbrock (the peers' HMC on 2-D Rosenbrock) (default: all)")
	fs.Int("chains", bench.DefaultChains, "chains of the end-to-end runs")
	fs.Int("steps", bench.DefaultSteps, "steps of the end-to-end runs")
	fs.String("workers", "", "comma-separated worker counts to run the end-to-end and learnable-energy rows at, one row each, with the 2-over-1 ratios, e.g. 1,2 (default: GOMAXPROCS)")
	fs.Bool("json", false, "print one JSON object per row")
	fs.Bool("skip-limits", false, "do not measure the FMA peaks and copy bandwidth (the rows then have no share)")
	fs.Bool("skip-kernels", false, "do not time the kernels")
	fs.Bool("skip-e2e", false, "do not time the end-to-end runs")
	fs.Bool("skip-training", false, "do not time the learnable-energy rows (mlp_grad_b1024, dsm_step_b256, pcd_step_b256_k20, mlp784_dsm_step_b128, the image recipes' pcd and msdsm steps, conv_grad_b128, conv_dsm_step_b128)")
}

// splitList splits a comma-separated flag value; "" gives nil.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// cmdBench runs package bench's suite: the machine's limits (FMA peak per
// core of each implementation, copy bandwidth), kernels per SIMD
// implementation, end-to-end chain-steps per second (at each --workers
// count, with the 2-over-1 ratio in the text output), then the
// learnable-energy rows; kernel and learnable-energy rows carry their share
// of the relevant limit.
func cmdBench(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := positional("bench", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	chains, _ := strconv.Atoi(flagValue(fs, "chains"))
	steps, _ := strconv.Atoi(flagValue(fs, "steps"))
	if chains <= 0 || steps <= 0 {
		return fmt.Errorf("ebmrun bench: --chains and --steps must be > 0, got %d and %d", chains, steps)
	}
	var workers []int
	for _, w := range splitList(flagValue(fs, "workers")) {
		n, err := strconv.Atoi(w)
		if err != nil || n <= 0 {
			return fmt.Errorf("ebmrun bench: --workers: %q is not a worker count > 0", w)
		}
		workers = append(workers, n)
	}
	asJSON := flagValue(fs, "json") == "true"
	print := func(rows []bench.Row) error {
		for _, r := range rows {
			if asJSON {
				b, err := json.Marshal(r)
				if err != nil {
					return failure(err)
				}
				fmt.Fprintln(e.stdout, string(b))
			} else {
				fmt.Fprintln(e.stdout, r.String())
			}
		}
		return nil
	}
	var lim bench.Limits
	// The limits are measured when rows that are judged by them run: the
	// kernels and the learnable-energy rows (the end-to-end rows have none).
	judged := flagValue(fs, "skip-kernels") != "true" || flagValue(fs, "skip-training") != "true"
	if judged && flagValue(fs, "skip-limits") != "true" {
		var rows []bench.Row
		rows, lim = bench.MeasureLimits()
		if err := print(rows); err != nil {
			return err
		}
	}
	if flagValue(fs, "skip-kernels") != "true" {
		rows, err := bench.Kernels(splitList(flagValue(fs, "impl")))
		if err != nil {
			return fmt.Errorf("ebmrun bench: --impl: %v", err)
		}
		if err := print(lim.Annotate(rows)); err != nil {
			return err
		}
	}
	if flagValue(fs, "skip-e2e") != "true" {
		rows, err := bench.EndToEndWorkers(ctx, splitList(flagValue(fs, "samplers")), chains, steps, workers)
		if err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return fmt.Errorf("ebmrun bench: %v", err)
		}
		if err := print(rows); err != nil {
			return err
		}
		if !asJSON {
			for _, l := range bench.Scaling(rows) {
				fmt.Fprintln(e.stdout, l)
			}
		}
	}
	if flagValue(fs, "skip-training") != "true" {
		rows, err := bench.TrainingWorkers(ctx, workers)
		if err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return fmt.Errorf("ebmrun bench: %v", err)
		}
		if err := print(lim.Annotate(rows)); err != nil {
			return err
		}
		if !asJSON {
			for _, l := range bench.Scaling(rows) {
				fmt.Fprintln(e.stdout, l)
			}
		}
	}
	return nil
}
