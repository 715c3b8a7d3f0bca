package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/goebm/ebm/samplers"
)

// Shards: run --shard i/n runs the i-th of n contiguous blocks of a
// sampling config's chains, chains [i·C/n, (i+1)·C/n) of C. Shards are
// numbered from 0, like SLURM_ARRAY_TASK_ID of --array=0-(n−1) and
// Kubernetes' JOB_COMPLETION_INDEX. Chain c draws from the stream
// (seed, c) and starts from its own stream whatever block it runs in, so
// merge rebuilds the single run's draws exactly.

// shardPos is where a shard lies in its run; summary.json of a shard
// carries it.
type shardPos struct {
	Index  int `json:"index"`       // 0 … Count−1
	Count  int `json:"count"`       // n
	First  int `json:"first_chain"` // the run's index of the shard's first chain
	Chains int `json:"chains"`      // chains in this shard
}

// shardRecord is manifest.json's record of a shard: its place, the config
// it ran, and each sampler's raw counters, which merge sums to give the
// whole run's acceptance and evaluation counts.
type shardRecord struct {
	shardPos
	// ConfigSHA256 is configHash of the resolved config.
	ConfigSHA256 string     `json:"config_sha256"`
	Runs         []shardRun `json:"runs"`
}

// shardRun is one sampler's counters in a shard.
type shardRun struct {
	Sampler     string          `json:"sampler"`
	Samples     string          `json:"samples"` // its samples.npy, relative to the shard's directory
	Warmup      samplers.Stats  `json:"warmup_stats"`
	Sampling    samplers.Stats  `json:"sampling_stats"`
	Swaps       *samplers.Swaps `json:"swaps,omitempty"`
	WallSeconds float64         `json:"wall_seconds"`
}

// mergeRecord is manifest.json's record of a merged run.
type mergeRecord struct {
	Shards       []string `json:"shards"` // the shard directories, in shard order
	ConfigSHA256 string   `json:"config_sha256"`
}

// pos returns the shard's place, nil for a whole run.
func (r *shardRecord) pos() *shardPos {
	if r == nil {
		return nil
	}
	p := r.shardPos
	return &p
}

// configHash identifies a resolved config for merge: the sha256 of its
// resolved config.toml without the "# resolved from FILE" line and with
// run.workers = 0 — the path of the file and the goroutine count do not
// change the draws, and shards may run on machines that differ in both.
func configHash(c *Config) string {
	cc := *c
	cc.Run.Workers = 0
	text := cc.ResolvedTOML()
	if strings.HasPrefix(text, "#") {
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			text = text[i+1:]
		}
	}
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:])
}

// shardEnv are the environment variables --shard auto reads.
var shardEnv = []string{"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN",
	"SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP", "JOB_COMPLETION_INDEX", "EBM_SHARDS"}

// parseShard resolves --shard (i/n or auto; shards counts for auto under
// Kubernetes, "" when not given) for a run of chains chains, and returns
// the shard's place.
func parseShard(spec, shards string, chains int) (*shardPos, error) {
	i, n, err := shardIndex(spec, shards)
	if err != nil {
		return nil, err
	}
	if n > chains {
		return nil, fmt.Errorf("--shard %s: %d shards of %d chains would leave shards without chains; use at most %d shards", spec, n, chains, chains)
	}
	lo, hi := i*chains/n, (i+1)*chains/n
	return &shardPos{Index: i, Count: n, First: lo, Chains: hi - lo}, nil
}

// shardIndex parses i/n, or reads it from the scheduler's environment for auto.
func shardIndex(spec, shards string) (i, n int, err error) {
	if spec == "auto" {
		return autoShard(shards)
	}
	a, b, ok := strings.Cut(spec, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("--shard %q: want i/n, shard i of n numbered from 0 (0 ≤ i < n), or auto", spec)
	}
	return checkShard("--shard "+spec, i, n)
}

func checkShard(what string, i, n int) (int, int, error) {
	if n < 1 {
		return 0, 0, fmt.Errorf("%s: the number of shards must be ≥ 1, got %d", what, n)
	}
	if i < 0 || i >= n {
		return 0, 0, fmt.Errorf("%s: shard %d is out of range: shards are numbered from 0, so i must be in 0…%d", what, i, n-1)
	}
	return i, n, nil
}

// envInt reads a non-negative integer environment variable; set is false
// when it is unset or empty.
func envInt(name string) (v int, set bool, err error) {
	s := os.Getenv(name)
	if s == "" {
		return 0, false, nil
	}
	v, err = strconv.Atoi(s)
	if err != nil || v < 0 {
		return 0, true, fmt.Errorf("--shard auto: %s=%q is not a non-negative integer", name, s)
	}
	return v, true, nil
}

// autoShard reads the shard from a Slurm array job (SLURM_ARRAY_TASK_ID,
// counted from SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT or
// MAX−MIN+1 tasks) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX of
// --shards N or EBM_SHARDS).
func autoShard(shards string) (int, int, error) {
	id, slurm, err := envInt("SLURM_ARRAY_TASK_ID")
	if err != nil {
		return 0, 0, err
	}
	if slurm {
		if step, set, err := envInt("SLURM_ARRAY_TASK_STEP"); err != nil {
			return 0, 0, err
		} else if set && step != 1 {
			return 0, 0, fmt.Errorf("--shard auto: the Slurm array has step %d; shards need a contiguous array such as --array=0-N", step)
		}
		lo, hasMin, err := envInt("SLURM_ARRAY_TASK_MIN")
		if err != nil {
			return 0, 0, err
		}
		hi, hasMax, err := envInt("SLURM_ARRAY_TASK_MAX")
		if err != nil {
			return 0, 0, err
		}
		count, hasCount, err := envInt("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return 0, 0, err
		}
		switch {
		case hasCount:
		case hasMin && hasMax:
			count = hi - lo + 1
		default:
			return 0, 0, fmt.Errorf("--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MIN/MAX; pass --shard %d/N", id)
		}
		if hasMin && hasMax && hi-lo+1 != count {
			return 0, 0, fmt.Errorf("--shard auto: the Slurm array %d-%d is not contiguous (%d tasks); use --array=0-%d", lo, hi, count, count-1)
		}
		return checkShard(fmt.Sprintf("--shard auto (SLURM_ARRAY_TASK_ID=%d, %d tasks from %d)", id, count, lo), id-lo, count)
	}
	idx, k8s, err := envInt("JOB_COMPLETION_INDEX")
	if err != nil {
		return 0, 0, err
	}
	if !k8s {
		return 0, 0, fmt.Errorf("--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm array job) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; pass --shard i/n")
	}
	var n int
	if shards != "" {
		n, err = strconv.Atoi(shards)
		if err != nil {
			return 0, 0, fmt.Errorf("--shards %q: want the number of shards", shards)
		}
	} else if v, set, err := envInt("EBM_SHARDS"); err != nil {
		return 0, 0, err
	} else if set {
		n = v
	} else {
		return 0, 0, fmt.Errorf("--shard auto: JOB_COMPLETION_INDEX=%d is set but not the number of shards; pass --shards N or set EBM_SHARDS (the Job's completions)", idx)
	}
	return checkShard(fmt.Sprintf("--shard auto (JOB_COMPLETION_INDEX=%d of %d)", idx, n), idx, n)
}
