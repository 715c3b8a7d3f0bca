package runner

import (
	"strings"
	"testing"
)

// TestRunWarningsNameDims: the R-hat and ESS warnings name the dimensions
// and their values, not a bare index that reads like a count.
func TestRunWarningsNameDims(t *testing.T) {
	s := runSummary{Chains: 4, Draws: 100, RHat: []number{1.0105, 1.002, 1.3}, ESSBulk: []number{50, 900, 1000}, ESSTail: []number{900, 900, 900}}
	w := strings.Join(runWarnings(s, 0), "\n")
	for _, want := range []string{
		"split R-hat above 1.01 in 2 of 3 dims: 0 (1.0105), 2 (1.3000)",
		"bulk ESS below 100 per chain (400 for 4 chains) in 1 of 3 dims: 0 (50)",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	if strings.Contains(w, "tail ESS") {
		t.Errorf("a tail ESS warning without a low tail ESS:\n%s", w)
	}
	one := strings.Join(runWarnings(runSummary{Chains: 4, Draws: 100, RHat: []number{1.2}, ESSBulk: []number{1000}, ESSTail: []number{1000}}, 0), "\n")
	if !strings.Contains(one, "split R-hat above 1.01 in dim 0 (1.2000)") {
		t.Errorf("one dimension: %s", one)
	}
}
