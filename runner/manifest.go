package runner

import (
	"runtime"
	"runtime/debug"
	"time"

	"github.com/goebm/ebm/simd"
	"github.com/klauspost/cpuid/v2"
)

// modulePath is this module's path, looked up in the build info of custom
// binaries whose main module is another one.
const modulePath = "github.com/goebm/ebm"

// manifest is manifest.json: what ran, where and when.
type manifest struct {
	Module        string    `json:"module"`
	ModuleVersion string    `json:"module_version"`
	MainModule    string    `json:"main_module"`
	GoVersion     string    `json:"go_version"`
	OS            string    `json:"os"`
	Arch          string    `json:"arch"`
	CPU           string    `json:"cpu"`
	CPUFeatures   []string  `json:"cpu_features"`
	LogicalCores  int       `json:"logical_cores"`
	SIMD          string    `json:"simd"`
	Workers       int       `json:"workers"`
	Seed          int64     `json:"seed"`
	Config        string    `json:"config"`
	Args          []string  `json:"args"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Partial       bool      `json:"partial"`
	// Shard is set for a shard of a sampling run (run --shard i/n);
	// Merged for the output of merge.
	Shard  *shardRecord `json:"shard,omitempty"`
	Merged *mergeRecord `json:"merged,omitempty"`
}

// moduleVersion returns the version of this module in the running binary
// ("(devel)" for a build from a checkout) and the main module's path.
func moduleVersion() (version, main string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown", "unknown"
	}
	if bi.Main.Path == modulePath {
		return bi.Main.Version, bi.Main.Path
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			if d.Replace != nil {
				return d.Version + " => " + d.Replace.Path, bi.Main.Path
			}
			return d.Version, bi.Main.Path
		}
	}
	return "unknown", bi.Main.Path
}

// newManifest fills everything but the times and the partial flag.
func newManifest(c *Config, workers int, args []string) manifest {
	v, main := moduleVersion()
	return manifest{
		Module: modulePath, ModuleVersion: v, MainModule: main,
		GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		CPU: cpuid.CPU.BrandName, CPUFeatures: cpuid.CPU.FeatureSet(), LogicalCores: runtime.NumCPU(),
		SIMD: simd.Chosen(), Workers: workers, Seed: c.Seed, Config: c.File, Args: args,
	}
}
