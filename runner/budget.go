package runner

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/registry"
)

// What a run may ask for: memory (estimated before anything is allocated,
// and refused above the limit) and the size and nesting of a config file
// (checked before the TOML parser sees it).

// memoryEnv overrides the memory limit: a size such as "8GiB", "512MB" or
// "1e9" (bytes), or "off".
const memoryEnv = "EBM_MEMORY_LIMIT"

// memoryShare is the fraction of the machine's memory a run may plan to use.
const memoryShare = 0.8

// fallbackMemory is the machine's memory assumed where it cannot be read.
const fallbackMemory = 16 << 30

// memoryLimit is the most memory a run may ask for: EBM_MEMORY_LIMIT when
// set, else 80 % of the machine's memory (MemTotal in /proc/meminfo; 16 GiB
// assumed where there is none).
func memoryLimit() (registry.MemoryLimit, error) {
	if v, ok := os.LookupEnv(memoryEnv); ok && strings.TrimSpace(v) != "" {
		if strings.EqualFold(strings.TrimSpace(v), "off") {
			return registry.MemoryLimit{}, nil
		}
		n, err := parseSize(v)
		if err != nil {
			return registry.MemoryLimit{}, fmt.Errorf("%s=%q: %v; want a size such as 8GiB, 512MB or 1e9 (bytes), or off", memoryEnv, v, err)
		}
		return registry.MemoryLimit{Bytes: n, Why: fmt.Sprintf("%s=%s", memoryEnv, strings.TrimSpace(v))}, nil
	}
	total, known := machineMemory()
	why := fmt.Sprintf("%.0f %% of this machine's %.1f GiB; set %s to change", 100*memoryShare, float64(total)/(1<<30), memoryEnv)
	if !known {
		why = fmt.Sprintf("%.0f %% of %.0f GiB, as this machine's memory is unknown; set %s to change", 100*memoryShare, float64(total)/(1<<30), memoryEnv)
	}
	return registry.MemoryLimit{Bytes: int64(memoryShare * float64(total)), Why: why}, nil
}

// machineMemory is MemTotal from /proc/meminfo, or fallbackMemory and
// false.
func machineMemory() (int64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return fallbackMemory, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err == nil && kb > 0 {
				return kb << 10, true
			}
		}
	}
	return fallbackMemory, false
}

var sizeRE = regexp.MustCompile(`(?i)^\s*([0-9]+(?:\.[0-9]*)?(?:e[+-]?[0-9]+)?)\s*([kmgt]i?b?|b)?\s*$`)

// parseSize reads a size: a number with an optional unit (B; kB, MB, GB,
// TB are powers of 1000, KiB, MiB, GiB, TiB of 1024; the B may be left
// out).
func parseSize(s string) (int64, error) {
	m := sizeRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("not a size")
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("not a size")
	}
	unit := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(m[2], "B"), "b"))
	mult := map[string]float64{"": 1, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "ki": 1 << 10, "mi": 1 << 20, "gi": 1 << 30, "ti": 1 << 40}[unit]
	v *= mult
	if !(v >= 1) || v >= math.MaxInt64 {
		return 0, fmt.Errorf("must be at least 1 byte and below 8 EiB")
	}
	return int64(v), nil
}

// Config files: at most maxConfigBytes, nested at most maxConfigDepth
// levels of arrays and inline tables. The TOML parser's memory grows
// steeply with nesting (5000 levels take over a gigabyte).
const (
	maxConfigBytes = 1 << 20
	maxConfigDepth = 64
)

// checkConfigSize refuses a config of more than maxConfigBytes.
func checkConfigSize(path string, n int64) error {
	if n > maxConfigBytes {
		return fmt.Errorf("%s: the config is %d bytes, more than the %d (1 MiB) a config may have; put large arrays in a data file ([data] type = \"npy\" or \"csv\")", path, n, maxConfigBytes)
	}
	return nil
}

// checkNesting scans TOML source for arrays and inline tables nested more
// than maxConfigDepth deep, skipping strings and comments; its error names
// the file and the line.
func checkNesting(path string, src []byte) error {
	depth, line := 0, 1
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '\n':
			line++
		case '#':
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			delim := []byte{c}
			if bytes.HasPrefix(src[i:], []byte{c, c, c}) {
				delim = []byte{c, c, c}
			}
			j := i + len(delim)
			closed := false
			for j < len(src) {
				if c == '"' && src[j] == '\\' {
					if j+1 < len(src) && src[j+1] == '\n' {
						line++
					}
					j += 2
					continue
				}
				if len(delim) == 1 && src[j] == '\n' {
					break // unterminated: the parser reports it
				}
				if bytes.HasPrefix(src[j:], delim) {
					closed = true
					break
				}
				if src[j] == '\n' {
					line++
				}
				j++
			}
			if closed {
				j += len(delim)
				// A multi-line string may end in up to two more quotes.
				for extra := 0; len(delim) == 3 && extra < 2 && j < len(src) && src[j] == c; extra++ {
					j++
				}
			}
			i = min(j, len(src)) - 1
		case '[', '{':
			if depth++; depth > maxConfigDepth {
				return fmt.Errorf("%s:%d: arrays and inline tables nested more than %d levels deep: refused before parsing", path, line, maxConfigDepth)
			}
		case ']', '}':
			depth = max(depth-1, 0)
		}
	}
	return nil
}

// chainVectors is how many dim-long vectors one chain holds while it runs
// (position, gradient, proposal and its gradient, momentum, mass,
// adaptation): a generous count.
const chainVectors = 8

// tooLarge records a request beyond the memory limit as the failure of
// table (of type typ, "" for a settings table).
func (b *builder) tooLarge(table, typ string, keys []string, bytes int64, what string) {
	b.fail(table, &registry.Error{Type: typ, Err: &registry.TooLargeError{Keys: keys, What: what, Bytes: bytes, Limit: b.mem}})
}

// dimKeys is ["dim"] when the component v has a dim key, else nil.
func dimKeys(v any) []string {
	if _, ok := registry.ToMap(v)["dim"]; ok {
		return []string{"dim"}
	}
	return nil
}

// checkSampling refuses a sampling run whose chains and kept draws would
// not fit in memory: each of the nsamplers runs keeps chains × draws draws
// of dim values and their energies, and each chain holds a few vectors of
// dim values. It reports whether the run fits.
func (b *builder) checkSampling(energyType string, energy any, dim int, run RunSettings, nsamplers int) bool {
	limit := b.mem.Bytes
	if limit <= 0 {
		return true
	}
	d := int64(dim)
	if one := registry.Bytes(d, chainVectors+2, 8); one > limit {
		b.tooLarge("energy", energyType, dimKeys(energy), one,
			fmt.Sprintf("one chain's state: about %d vectors × dim × 8 bytes, dim = %d", chainVectors+2, dim))
		return false
	}
	ch, dr := int64(run.Chains), int64(run.Draws)
	shardNote := ""
	if b.shards > 1 {
		// Shard i of n holds chains ⌊i·C/n⌋ … ⌊(i+1)·C/n⌋ − 1: at most ⌈C/n⌉.
		ch = (ch + int64(b.shards) - 1) / int64(b.shards)
		shardNote = fmt.Sprintf(" (the largest of %d shards)", b.shards)
	}
	kept := registry.Bytes(int64(max(nsamplers, 1)), ch, dr, d+1, 8)
	state := registry.Bytes(ch, d, chainVectors, 8)
	if total := registry.AddBytes(kept, state); total > limit {
		runs := ""
		if nsamplers > 1 {
			runs = fmt.Sprintf(" × %d samplers", nsamplers)
		}
		b.tooLarge("run", "", []string{"chains", "draws"}, total,
			fmt.Sprintf("the kept draws and their energies, chains%s × draws × (dim + 1) × 8 bytes = %d × %d × %d × 8%s, and each chain's state; dim = %d from [energy]", shardNote, ch, dr, d+1, runs, dim))
		return false
	}
	return true
}

// checkTraining refuses a training run that would not fit in memory, one
// line per part that alone is too large (the model with its gradient and
// optimizer moments, the batch, the objective's buffers, the final
// samples), or one line for the sum. It reports whether the run fits.
func (b *builder) checkTraining(c *TrainConfig) bool {
	limit := b.mem.Bytes
	if limit <= 0 || c.Model == nil || c.Data == nil {
		return true
	}
	dim := int64(c.Data.Dim())
	ok := true
	var total int64
	part := func(table, typ string, keys []string, bytes int64, what string) {
		total = registry.AddBytes(total, bytes)
		if bytes > limit {
			b.tooLarge(table, typ, keys, bytes, what)
			ok = false
		}
	}
	np := int64(len(c.Model.Params()))
	var mkeys []string
	if f, isF := c.Model.(registry.Footprinter); isF {
		mkeys = f.Footprint(b.ctx("energy")).Keys
	}
	part("energy", c.EnergyType, mkeys, registry.Bytes(np, 5, 8),
		fmt.Sprintf("%d parameters, their transposes, gradient and optimizer moments: 5 × parameters × 8 bytes", np))
	part("data", c.DataType, nil, registry.Bytes(int64(len(c.points)), 2, 8),
		fmt.Sprintf("the data and its split: 2 × %d values × 8 bytes", len(c.points)))
	bs := int64(c.Train.BatchSize)
	part("train", "", []string{"batch_size"}, registry.Bytes(bs, dim, chainVectors, 8),
		fmt.Sprintf("a batch and its gradients: batch_size × dim × %d × 8 bytes, batch_size = %d, dim = %d", chainVectors, bs, dim))
	if f, isF := c.Objective.(registry.Footprinter); isF {
		fp := f.Footprint(b.ctx("objective"))
		part("objective", c.ObjectiveType, fp.Keys, fp.Bytes, fp.What)
	}
	s := c.Sample
	ch, dr := int64(s.Chains), int64(s.Draws)
	part("sample", "", []string{"chains", "draws"}, registry.AddBytes(registry.Bytes(ch, dr, dim+1, 8), registry.Bytes(ch, dim, chainVectors, 8)),
		fmt.Sprintf("the draws from the trained model and their energies, chains × draws × (dim + 1) × 8 bytes = %d × %d × %d × 8, and each chain's state", ch, dr, dim+1))
	if ok && total > limit {
		b.fail("", &registry.TooLargeError{Bytes: total, Limit: b.mem,
			What: "the model with its gradient and optimizer moments, the data, a batch, the objective's buffers and the final samples together"})
		ok = false
	}
	return ok
}

// errTooLarge marks a failure already recorded by a size check.
var errTooLarge = errors.New("too large")

// checkDataSize refuses a generated data set whose n rows of its dimension
// would not fit in memory, before it is generated; it records the failure
// and returns errTooLarge. Files are bounded by their size on disk.
func (b *builder) checkDataSize(typ string, data datasets.Dataset) error {
	n, dim := int64(asInt(registry.ToMap(data)["n"])), int64(data.Dim())
	if b.mem.Bytes <= 0 || n <= 0 || dim <= 0 {
		return nil
	}
	if bytes := registry.Bytes(n, dim, 2, 8); bytes > b.mem.Bytes {
		b.tooLarge("data", typ, []string{"n"}, bytes, fmt.Sprintf("the points and their split: n × dim × 2 × 8 bytes, n = %d, dim = %d", n, dim))
		return errTooLarge
	}
	return nil
}
