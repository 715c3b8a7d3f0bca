package runner

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"

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

// printVersion writes `ebmrun --version`: the module and its version (from
// the build information: "(devel)" for a build from a checkout), the main
// module when ebm is built into another binary, the Go version and the
// platform.
func printVersion(w io.Writer) {
	v, main := moduleVersion()
	fmt.Fprintf(w, "ebmrun %s %s", modulePath, v)
	if main != modulePath {
		fmt.Fprintf(w, " (in %s)", main)
	}
	fmt.Fprintf(w, ", %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// printFlags writes the flags of fs as flag.PrintDefaults does, each name
// spelt with two dashes ("--out FILE") as the usage lines and the
// documentation write them (the flag package accepts both).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		if strings.HasPrefix(line, "  -") {
			line = "  --" + line[3:]
		}
		io.WriteString(w, line)
	}
}
