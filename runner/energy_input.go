package runner

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/fileio"
)

// loadEnergyConfig builds the [energy] table of the config file at path,
// after the --set overrides, and nothing else: `ebmrun energy` needs no
// [sampler] or [run]. The top-level keys are checked as run checks them.
// A training config is refused: its energy has no parameters worth
// evaluating before training, so the message points to --checkpoint.
func loadEnergyConfig(path string, sets []string) (energies.Energy, string, error) {
	src, err := readConfig(path)
	if err != nil {
		return nil, "", err
	}
	m, err := decodeConfig(path, src)
	if err != nil {
		return nil, "", err
	}
	if isTrainTable(m) {
		return nil, "", fmt.Errorf("%s: a training config (it has a [train] or [objective] table): its energy has no fixed parameters before training; "+
			"train it with ebmrun run %s, then evaluate the result with ebmrun energy --checkpoint RUN_DIR/checkpoint.ebm", path, path)
	}
	s := samplingSchema
	if err := s.applySets(path, m, sets); err != nil {
		return nil, "", err
	}
	b := newBuilder(path)
	s.topLevel(b, m, 1)
	var en energies.Energy
	var typ string
	if e, ok := b.component(m, s.section("energy")); ok {
		typ, en = e.typ, e.v.(energies.Energy)
		if en.Dim() <= 0 {
			b.failType("energy", e.typ, fmt.Errorf("dimension must be > 0, got %d", en.Dim()))
		}
	}
	if err := b.err(); err != nil {
		return nil, "", err
	}
	return en, typ, nil
}

// readEnergyPoints reads the points of `ebmrun energy`: CSV (one point per
// line), or .npy of shape (n, dim), (dim,) for one point, or (chains,
// draws, dim) as run writes samples.npy, flattened to chains×draws rows
// in chain-major order (chain 0's draws first). Every value must be
// finite: the error names the file and the line and column (CSV) or the
// element (NPY), as the training loaders do.
func readEnergyPoints(path string, dim int) (*fileio.Points, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such points file", path)
		}
		return nil, err
	}
	if !strings.EqualFold(filepath.Ext(path), ".npy") {
		p, err := fileio.ReadCSV(bytes.NewReader(raw), path, dim)
		if err != nil {
			return nil, err
		}
		if i := firstNaNInf(p.Data); i >= 0 {
			return nil, valueError{fmt.Errorf("%s:%d: column %d: %v; every value must be finite", path, pointLine(raw, i/p.Dim), i%p.Dim+1, p.Data[i])}
		}
		return p, nil
	}
	data, shape, err := fileio.ReadNPY(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var p *fileio.Points
	switch len(shape) {
	case 1:
		p = &fileio.Points{Data: data, N: 1, Dim: shape[0]}
	case 2:
		p = &fileio.Points{Data: data, N: shape[0], Dim: shape[1]}
	case 3:
		p = &fileio.Points{Data: data, N: shape[0] * shape[1], Dim: shape[2]}
	case 5: // an image run's samples.npy: (chains, draws, c, h, w)
		p = &fileio.Points{Data: data, N: shape[0] * shape[1], Dim: shape[2] * shape[3] * shape[4]}
	default:
		return nil, fmt.Errorf("%s: array of shape %v; want (n, dim), one point per row, or (chains, draws, dim) or (chains, draws, c, h, w) as in samples.npy", path, shape)
	}
	if dim > 0 && p.Dim != dim {
		return nil, fmt.Errorf("%s: array of shape %v has %d columns, want %d", path, shape, p.Dim, dim)
	}
	if p.N == 0 || p.Dim == 0 {
		return nil, fmt.Errorf("%s: array of shape %v holds no points", path, shape)
	}
	if i := firstNaNInf(p.Data); i >= 0 {
		idx := fmt.Sprintf("[%d, %d] (row, column from 0)", i/p.Dim, i%p.Dim)
		if len(shape) == 3 {
			idx = fmt.Sprintf("[%d, %d, %d] (chain, draw, column from 0)", i/p.Dim/shape[1], i/p.Dim%shape[1], i%p.Dim)
		}
		return nil, valueError{fmt.Errorf("%s: element %s is %v; every value must be finite", path, idx, p.Data[i])}
	}
	return p, nil
}

// valueError is a bad value in a points file, as opposed to a file of the
// wrong shape (whose message goes with the energy's dimension).
type valueError struct{ error }

// firstNaNInf returns the index of the first non-finite value of x, or −1.
func firstNaNInf(x []float64) int {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i
		}
	}
	return -1
}

// pointLine returns the 1-based line of CSV text raw that holds point row
// (0-based): ReadCSV skips blank lines, '#' comments and a header line
// (the first remaining line when none of its cells is a number).
func pointLine(raw []byte, row int) int {
	lines := strings.Split(string(raw), "\n")
	first := true
	for k, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if first {
			first = false
			if _, err := fileio.ReadCSV(strings.NewReader(t), "", 0); err != nil { // a header alone holds no points
				continue
			}
		}
		if row == 0 {
			return k + 1
		}
		row--
	}
	return 0
}

// checkOutNotInput refuses an --out that names one of the inputs (the
// config, the points or the checkpoint file): writing there would replace
// it. Paths are compared cleaned and absolute, and with os.SameFile when
// both exist (links, other spellings). what names each input for the
// message; "" entries are skipped.
func checkOutNotInput(cmd, out string, inputs ...[2]string) error {
	if out == "" {
		return nil
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		absOut = filepath.Clean(out)
	}
	outInfo, outErr := os.Stat(out)
	for _, in := range inputs {
		what, path := in[0], in[1]
		if path == "" {
			continue
		}
		same := false
		if absIn, err := filepath.Abs(path); err == nil && absIn == absOut {
			same = true
		} else if outErr == nil {
			if inInfo, err := os.Stat(path); err == nil && os.SameFile(outInfo, inInfo) {
				same = true
			}
		}
		if same {
			return fmt.Errorf("ebmrun %s: --out %s is the %s %s: writing there would replace it; choose another --out", cmd, out, what, path)
		}
	}
	return nil
}
