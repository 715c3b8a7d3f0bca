package registry

import (
	"fmt"
	"math"
	"strings"
)

// Footprint is what a component estimates it will allocate, worked out
// from its decoded keys alone (before Validate, which may allocate it):
// the bytes, the keys that set them, and what the memory holds.
type Footprint struct {
	Bytes int64    // saturates at math.MaxInt64 (see Bytes)
	Keys  []string // the keys that set it, e.g. "hidden"
	What  string   // what it holds and how it was counted, e.g. "parameters: 10000200001 × 8 bytes"
}

// Footprinter is implemented by components whose memory grows with their
// keys (a network's widths, a replay buffer's rows, a covariance of dim²
// values). Build calls Footprint after Provision and before Validate, so a
// component that would not fit in Context.Memory is refused before it
// allocates anything. Footprint must not itself allocate in proportion to
// the sizes it counts.
type Footprinter interface {
	Footprint(ctx Context) Footprint
}

// MemoryLimit is the most memory one run may ask for: Bytes (0: no limit),
// and Why, how the limit was set, for messages ("80 % of the machine's
// 15.5 GiB; set EBM_MEMORY_LIMIT to change").
type MemoryLimit struct {
	Bytes int64
	Why   string
}

// TooLargeError is a request for more memory than the limit allows.
type TooLargeError struct {
	Keys  []string // the keys at fault
	What  string   // what the memory would hold
	Bytes int64    // the estimate
	Limit MemoryLimit
}

// Error names the keys, the estimate in GB and the limit.
func (e *TooLargeError) Error() string {
	var b strings.Builder
	switch len(e.Keys) {
	case 0:
	case 1:
		fmt.Fprintf(&b, "key %q: ", e.Keys[0])
	default:
		q := make([]string, len(e.Keys))
		for i, k := range e.Keys {
			q[i] = fmt.Sprintf("%q", k)
		}
		fmt.Fprintf(&b, "keys %s: ", strings.Join(q, ", "))
	}
	fmt.Fprintf(&b, "needs about %s of memory", FormatBytes(e.Bytes))
	if e.What != "" {
		fmt.Fprintf(&b, " (%s)", e.What)
	}
	fmt.Fprintf(&b, ", more than the %s allowed", FormatBytes(e.Limit.Bytes))
	if e.Limit.Why != "" {
		fmt.Fprintf(&b, " (%s)", e.Limit.Why)
	}
	return b.String()
}

// Check returns a *TooLargeError when f exceeds the limit m, else nil.
func (m MemoryLimit) Check(f Footprint) error {
	if m.Bytes <= 0 || f.Bytes <= m.Bytes {
		return nil
	}
	return &TooLargeError{Keys: f.Keys, What: f.What, Bytes: f.Bytes, Limit: m}
}

// CheckFootprint refuses v when it is a Footprinter whose footprint in
// ctx exceeds ctx.Memory; nil otherwise.
func CheckFootprint(ctx Context, v any) error {
	f, ok := v.(Footprinter)
	if !ok || ctx.Memory.Bytes <= 0 {
		return nil
	}
	return ctx.Memory.Check(f.Footprint(ctx))
}

// Bytes is the product of factors (counts, and the size of one value),
// saturating at math.MaxInt64 instead of overflowing; a negative factor
// counts as 0.
func Bytes(factors ...int64) int64 {
	p := int64(1)
	for _, f := range factors {
		if f <= 0 {
			return 0
		}
		if p > math.MaxInt64/f {
			p = math.MaxInt64
			continue
		}
		p *= f
	}
	return p
}

// AddBytes is the sum of sizes, saturating at math.MaxInt64.
func AddBytes(sizes ...int64) int64 {
	s := int64(0)
	for _, b := range sizes {
		if b <= 0 {
			continue
		}
		if s > math.MaxInt64-b {
			return math.MaxInt64
		}
		s += b
	}
	return s
}

// FormatBytes renders a size in GB (10⁹ bytes): "8.0 GB", "0.0021 GB",
// "24128 GB", "4.8e+06 GB"; a saturated size is "more than 9.2e+09 GB".
func FormatBytes(b int64) string {
	gb := float64(b) / 1e9
	switch {
	case b == math.MaxInt64:
		return fmt.Sprintf("more than %.2g GB", gb)
	case gb >= 1e5:
		return fmt.Sprintf("%.2g GB", gb)
	case gb >= 100:
		return fmt.Sprintf("%.0f GB", gb)
	case gb >= 1:
		return fmt.Sprintf("%.1f GB", gb)
	default:
		return fmt.Sprintf("%.2g GB", gb)
	}
}
