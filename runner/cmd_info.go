package runner

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strings"

	"github.com/goebm/ebm/simd"
	"github.com/klauspost/cpuid/v2"
)

func cmdInfo(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := positional("info", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	v, main := moduleVersion()
	w := e.stdout
	fmt.Fprintf(w, "ebm:       %s %s", modulePath, v)
	if main != modulePath {
		fmt.Fprintf(w, " (in %s)", main)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "go:        %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "cpu:       %s (%d physical cores, %d logical CPUs, GOMAXPROCS %d)\n",
		cpuid.CPU.BrandName, cpuid.CPU.PhysicalCores, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "features:  %s\n", strings.Join(cpuid.CPU.FeatureSet(), " "))
	var impls []string
	for _, im := range simd.Implementations() {
		s := im.Name
		switch {
		case im.Chosen:
			s += " (chosen)"
		case im.Available:
			s += " (available)"
		default:
			s += " (not available here)"
		}
		impls = append(impls, s)
	}
	fmt.Fprintf(w, "simd:      %s\n", strings.Join(impls, ", "))
	fmt.Fprintf(w, "kernels:   %s (override with EBM_SIMD=generic|avx2|avx512|neon)\n", simd.Chosen())
	return nil // a bad EBM_SIMD was reported by runContext, as in every command
}
