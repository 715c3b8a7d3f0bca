package runner

import (
	"fmt"
	"io"

	"github.com/goebm/ebm/simd"
)

// warnSIMD prints, once per ebmrun invocation, what was wrong with the
// EBM_SIMD setting (an unknown name, or an implementation this machine or
// build cannot run) and which kernels run instead, so that a bad value
// never silently changes a run's speed.
func warnSIMD(w io.Writer) {
	if p := simd.OverrideProblem(); p != "" {
		fmt.Fprintf(w, "ebmrun: warning: %s\n", p)
	}
}
