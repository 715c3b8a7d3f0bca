package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/registry"
)

func init() {
	Register("csv", func() Dataset { return &CSV{} })
	Register("npy", func() Dataset { return &NPY{} })
}

// loadError is a Load failure of the loader typ: an *registry.Error
// naming the type, with the formatted cause.
func loadError(typ, format string, args ...any) error {
	return &registry.Error{Type: typ, Err: fmt.Errorf(format, args...)}
}

// fileSet holds what the two file loaders share: the dimension found by
// the last Load.
type fileSet struct {
	dim int
}

// checkFileKeys validates the keys path and columns.
func checkFileKeys(path string, columns []int) error {
	if strings.TrimSpace(path) == "" {
		return errors.New(`key "path": required; name the file of points, e.g. path = "points.csv"`)
	}
	if columns != nil && len(columns) == 0 {
		return errors.New(`key "columns": empty; list at least one column index, or leave the key out to keep all`)
	}
	seen := map[int]bool{}
	for k, c := range columns {
		if c < 0 {
			return fmt.Errorf("key \"columns\": element %d is %d; column indices start at 0", k, c)
		}
		if seen[c] {
			return fmt.Errorf("key \"columns\": column %d is listed twice", c)
		}
		seen[c] = true
	}
	return nil
}

// checkColumns reports a column index of cols beyond the d columns of
// the file name.
func checkColumns(cols []int, d int, name string) error {
	for _, c := range cols {
		if c >= d {
			return fmt.Errorf("key \"columns\": column index %d is out of range: %s has %d columns (indices 0 to %d)", c, name, d, d-1)
		}
	}
	return nil
}

// selectColumns returns the columns cols (all when nil; each < d) of the
// n×d table data, and the new dimension.
func selectColumns(data []float64, n, d int, cols []int) ([]float64, int) {
	if cols == nil {
		return data, d
	}
	out := make([]float64, 0, n*len(cols))
	for i := range n {
		for _, c := range cols {
			out = append(out, data[i*d+c])
		}
	}
	return out, len(cols)
}

// firstNonFinite returns the row and column of the first NaN or ±Inf among
// the kept columns (all when cols is nil) of the n×d table data, or -1, -1.
func firstNonFinite(data []float64, d int, cols []int) (row, col int) {
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			j := i % d
			if cols == nil || containsInt(cols, j) {
				return i / d, j
			}
		}
	}
	return -1, -1
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// CSV loads points from a CSV file through fileio.ReadCSV: one point per
// line, cells separated by commas (or, when the first line has none, by
// spaces or tabs, as numpy.savetxt writes); blank lines and lines starting
// with '#' are skipped; a first line none of whose cells is a number is a
// header. Every cell must be a number, including those of columns that
// columns leaves out, and every kept value must be finite. The dimension is
// the number of kept columns.
type CSV struct {
	Path    string `toml:"path" doc:"the CSV file, one point per line, optional header line (required); a relative path is resolved against the config file's directory"`
	Columns []int  `toml:"columns" doc:"0-based indices of the columns to keep, in this order, e.g. [0, 2] (default: all columns)"`

	fileSet
}

// Description is the one-line summary shown by `ebmrun list`.
func (c *CSV) Description() string {
	return "points read from a CSV file, one per line (header detected, dimension from the file)"
}

// Example sets a path so that the sample config validates.
func (c *CSV) Example() { c.Path = "points.csv" }

// Init validates the keys; it does not read the file (Load does).
func (c *CSV) Validate() error { return checkFileKeys(c.Path, c.Columns) }

// Provision resolves a relative path against the config file's directory
// (ctx.Dir), so the resolved config records a path valid from anywhere.
func (c *CSV) Provision(ctx registry.Context) error {
	c.Path = ctx.Resolve(c.Path)
	return nil
}

// Dim is the number of kept columns: 0 until a Load succeeds.
func (c *CSV) Dim() int { return c.dim }

// Load reads the file. Errors are *registry.Error values of Type "csv" and name the file, and
// the line and column where the file is at fault: a row with the wrong
// number of cells, a cell that is not a number, a NaN or an infinity; or
// say that the file is missing, unreadable or holds no points.
func (c *CSV) Load() ([]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, &registry.Error{Type: "csv", Err: err}
	}
	path := c.Path
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &registry.Error{Type: "csv", Key: "path", Err: err}
	}
	p, err := fileio.ReadCSV(bytes.NewReader(raw), path, 0)
	if err != nil {
		return nil, &registry.Error{Type: "csv", Err: err}
	}
	if err := checkColumns(c.Columns, p.Dim, path); err != nil {
		return nil, &registry.Error{Type: "csv", Err: err}
	}
	if i, j := firstNonFinite(p.Data, p.Dim, c.Columns); i >= 0 {
		return nil, loadError("csv", "%s:%d: column %d: %v; every value must be finite",
			path, csvLine(raw, i, p.N), j+1, p.Data[i*p.Dim+j])
	}
	x, d := selectColumns(p.Data, p.N, p.Dim, c.Columns)
	c.dim = d
	return x, nil
}

// csvLine returns the 1-based line number of data row row in the CSV text
// raw holding n data rows, skipping the lines fileio.ReadCSV skips: blank
// lines, comments, and the header, which is there when the file has n+1
// candidate lines.
func csvLine(raw []byte, row, n int) int {
	lines := strings.Split(string(raw), "\n")
	var cand []int
	for k, l := range lines {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			cand = append(cand, k+1)
		}
	}
	if len(cand) == n+1 {
		cand = cand[1:]
	}
	if row < len(cand) {
		return cand[row]
	}
	return 0
}

// NPY loads points from a .npy file through fileio.ReadNPY: a C-order
// array of shape (n, d), or (n,) for n points of dimension 1, or images of
// shape (n, h, w) or (n, c, h, w), of little-endian float64, float32,
// int64 or int32, or uint8 or int8 (values kept as they are, 0 to 255 for
// uint8). Every kept value must be finite. The dimension is the number of
// kept columns, or c·h·w for images, whose shape, (1, h, w) or (c, h, w),
// Shape reports; columns applies to (n, d) arrays only.
type NPY struct {
	Path    string `toml:"path" doc:"the .npy file, an array of shape (n, d) or (n,), or images (n, h, w) or (n, c, h, w) (required); a relative path is resolved against the config file's directory"`
	Columns []int  `toml:"columns" doc:"0-based indices of the columns to keep, in this order, e.g. [0, 2]; (n, d) arrays only (default: all columns)"`

	fileSet
	shape []int
}

// Description is the one-line summary shown by `ebmrun list`.
func (f *NPY) Description() string {
	return "points read from a .npy array of shape (n, d) or (n,), or images (n, h, w) or (n, c, h, w)"
}

// Example sets a path so that the sample config validates.
func (f *NPY) Example() { f.Path = "points.npy" }

// Init validates the keys; it does not read the file (Load does).
func (f *NPY) Validate() error { return checkFileKeys(f.Path, f.Columns) }

// Provision resolves a relative path against the config file's directory
// (ctx.Dir), so the resolved config records a path valid from anywhere.
func (f *NPY) Provision(ctx registry.Context) error {
	f.Path = ctx.Resolve(f.Path)
	return nil
}

// Dim is the number of kept columns: 0 until a Load succeeds.
func (f *NPY) Dim() int { return f.dim }

// Load reads the file. Errors are *registry.Error values of Type "npy" and name the file: a
// missing or unreadable file, a malformed header, an unsupported dtype, a
// shape of rank other than 1 to 4, no points, columns on images, or the
// index ([row, column], or the array's full index for images) of the first
// NaN or infinity.
func (f *NPY) Load() ([]float64, error) {
	if err := f.Validate(); err != nil {
		return nil, &registry.Error{Type: "npy", Err: err}
	}
	path := f.Path
	fh, err := os.Open(path)
	if err != nil {
		return nil, &registry.Error{Type: "npy", Key: "path", Err: err}
	}
	defer fh.Close()
	data, shape, err := fileio.ReadNPY(fh)
	if err != nil {
		return nil, loadError("npy", "%s: %w", path, err)
	}
	var n, d int
	var point []int // the shape of one point, before columns
	switch len(shape) {
	case 1:
		n, d, point = shape[0], 1, []int{1}
	case 2:
		n, d, point = shape[0], shape[1], []int{shape[1]}
	case 3:
		n, d, point = shape[0], shape[1]*shape[2], []int{1, shape[1], shape[2]}
	case 4:
		n, d, point = shape[0], shape[1]*shape[2]*shape[3], slices.Clone(shape[1:])
	default:
		return nil, loadError("npy", "%s: array of shape %v; want (n, d), one point per row, (n,) for 1-D points, or images (n, h, w) or (n, c, h, w)", path, shape)
	}
	if n == 0 || d == 0 {
		return nil, loadError("npy", "%s: array of shape %v holds no points", path, shape)
	}
	if f.Columns != nil && len(shape) > 2 {
		return nil, &registry.Error{Type: "npy", Key: "columns", Err: fmt.Errorf("applies to (n, d) arrays only; %s holds images of shape %v: leave columns out", path, shape)}
	}
	if err := checkColumns(f.Columns, d, path); err != nil {
		return nil, &registry.Error{Type: "npy", Err: err}
	}
	if i, j := firstNonFinite(data, d, f.Columns); i >= 0 {
		if len(shape) > 2 {
			idx := []string{fmt.Sprint(i)}
			for k, r := len(point)-1, j; k >= 0; k-- {
				idx = slices.Insert(idx, 1, fmt.Sprint(r%point[k]))
				r /= point[k]
			}
			if len(shape) == 3 {
				idx = slices.Delete(idx, 1, 2) // the channel axis the file does not have
			}
			return nil, loadError("npy", "%s: element [%s] is %v; every value must be finite",
				path, strings.Join(idx, ", "), data[i*d+j])
		}
		return nil, loadError("npy", "%s: element [%d, %d] (row, column from 0) is %v; every value must be finite",
			path, i, j, data[i*d+j])
	}
	x, dk := selectColumns(data, n, d, f.Columns)
	if f.Columns != nil {
		point = []int{dk}
	}
	f.dim, f.shape = dk, point
	return x, nil
}

// Shape is the shape of one point: (d) for (n, d) arrays (the kept
// columns), (1) for (n,), (1, h, w) for (n, h, w) and (c, h, w) for
// (n, c, h, w); nil until a Load succeeds.
func (f *NPY) Shape() []int { return slices.Clone(f.shape) }

var (
	_ Dataset              = (*CSV)(nil)
	_ registry.Provisioner = (*CSV)(nil)
	_ Dataset              = (*NPY)(nil)
	_ Shaped               = (*NPY)(nil)
	_ registry.Provisioner = (*NPY)(nil)
)
