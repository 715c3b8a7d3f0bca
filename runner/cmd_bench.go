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
	fs.String("samplers", "", "comma-separated samplers to time end to end (default: ula,mala,hmc)")
	fs.Int("chains", bench.DefaultChains, "chains of the end-to-end runs")
	fs.Int("steps", bench.DefaultSteps, "steps of the end-to-end runs")
	fs.Bool("json", false, "print one JSON object per row")
	fs.Bool("skip-kernels", false, "do not time the kernels")
	fs.Bool("skip-e2e", false, "do not time the end-to-end runs")
	fs.Bool("skip-training", false, "do not time the learnable-energy rows (mlp_grad_b1024, dsm_step_b256)")
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

// cmdBench runs package bench's suite: kernels per SIMD implementation,
// end-to-end chain-steps per second, then the learnable-energy rows.
func cmdBench(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := positional("bench", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	chains, _ := strconv.Atoi(flagValue(fs, "chains"))
	steps, _ := strconv.Atoi(flagValue(fs, "steps"))
	if chains <= 0 || steps <= 0 {
		return fmt.Errorf("ebmrun bench: --chains and --steps must be > 0, got %d and %d", chains, steps)
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
	if flagValue(fs, "skip-kernels") != "true" {
		rows, err := bench.Kernels(splitList(flagValue(fs, "impl")))
		if err != nil {
			return fmt.Errorf("ebmrun bench: --impl: %v", err)
		}
		if err := print(rows); err != nil {
			return err
		}
	}
	if flagValue(fs, "skip-e2e") != "true" {
		rows, err := bench.EndToEnd(ctx, splitList(flagValue(fs, "samplers")), chains, steps)
		if err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return fmt.Errorf("ebmrun bench: %v", err)
		}
		if err := print(rows); err != nil {
			return err
		}
	}
	if flagValue(fs, "skip-training") != "true" {
		rows, err := bench.Training(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return fmt.Errorf("ebmrun bench: %v", err)
		}
		return print(rows)
	}
	return nil
}
