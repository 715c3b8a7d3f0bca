package fileio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Points is a batch of n points of dimension Dim, row-major.
type Points struct {
	Data   []float64 // N×Dim values
	N, Dim int
}

// maxLine bounds one CSV line (1 MiB).
const maxLine = 1 << 20

// ReadCSV reads points from CSV text: one point per line, cells separated
// by commas (or, when the first line holds no comma, by spaces or tabs, as
// numpy.savetxt writes by default). Blank lines and lines starting with '#'
// are skipped. The first line is a header, and skipped, when none of its
// cells is a number. When dim > 0 every row must have dim cells. Errors name
// the file (name) and line: "points.csv:3: 3 columns, want 2".
func ReadCSV(r io.Reader, name string, dim int) (*Points, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	p := &Points{Dim: dim}
	line, first := 0, true
	comma := false
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if first {
			comma = strings.Contains(text, ",")
		}
		cells := splitCells(text, comma)
		if first {
			first = false
			if isHeader(cells) {
				if p.Dim > 0 && len(cells) != p.Dim {
					return nil, fmt.Errorf("%s:%d: header has %d columns, want %d", name, line, len(cells), p.Dim)
				}
				continue
			}
		}
		if p.Dim <= 0 {
			p.Dim = len(cells)
		}
		if len(cells) != p.Dim {
			return nil, fmt.Errorf("%s:%d: %d columns, want %d", name, line, len(cells), p.Dim)
		}
		for j, c := range cells {
			v, err := strconv.ParseFloat(c, 64)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: column %d: %q is not a number", name, line, j+1, c)
			}
			p.Data = append(p.Data, v)
		}
		p.N++
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if p.N == 0 {
		return nil, fmt.Errorf("%s: no points (want one point per line)", name)
	}
	return p, nil
}

func splitCells(text string, comma bool) []string {
	var cells []string
	if comma {
		cells = strings.Split(text, ",")
	} else {
		cells = strings.Fields(text)
	}
	for i, c := range cells {
		cells[i] = strings.Trim(strings.TrimSpace(c), `"'`)
	}
	return cells
}

// isHeader reports whether no cell of a line parses as a number.
func isHeader(cells []string) bool {
	for _, c := range cells {
		if _, err := strconv.ParseFloat(c, 64); err == nil {
			return false
		}
	}
	return true
}

// ReadNPYPoints reads points from a .npy array of shape (n, dim), or (dim,)
// for a single point. When dim > 0 the array must have dim columns. Errors
// are prefixed with name.
func ReadNPYPoints(r io.Reader, name string, dim int) (*Points, error) {
	data, shape, err := ReadNPY(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var p Points
	switch len(shape) {
	case 1:
		p = Points{Data: data, N: 1, Dim: shape[0]}
	case 2:
		p = Points{Data: data, N: shape[0], Dim: shape[1]}
	default:
		return nil, fmt.Errorf("%s: array of shape %v; want (n, dim), one point per row", name, shape)
	}
	if dim > 0 && p.Dim != dim {
		return nil, fmt.Errorf("%s: array of shape %v has %d columns, want %d", name, shape, p.Dim, dim)
	}
	if p.N == 0 || p.Dim == 0 {
		return nil, fmt.Errorf("%s: array of shape %v holds no points", name, shape)
	}
	return &p, nil
}

// ReadPointsFile reads points from path: a .npy file by its extension,
// otherwise CSV (see ReadCSV and ReadNPYPoints).
func ReadPointsFile(path string, dim int) (*Points, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(path), ".npy") {
		return ReadNPYPoints(f, path, dim)
	}
	return ReadCSV(f, path, dim)
}

// WriteCSV writes an n×cols row-major table as CSV with a header line
// (omitted when header is nil). Values are written in the shortest form
// that reads back exactly. It panics when len(data) is not a multiple of
// cols or the header does not have cols names.
func WriteCSV(w io.Writer, header []string, data []float64, cols int) error {
	if cols <= 0 || len(data)%cols != 0 || (header != nil && len(header) != cols) {
		panic("fileio: WriteCSV shape mismatch")
	}
	bw := bufio.NewWriter(w)
	if header != nil {
		bw.WriteString(strings.Join(header, ","))
		bw.WriteByte('\n')
	}
	var num []byte
	for i, v := range data {
		num = strconv.AppendFloat(num[:0], v, 'g', -1, 64)
		bw.Write(num)
		if (i+1)%cols == 0 {
			bw.WriteByte('\n')
		} else {
			bw.WriteByte(',')
		}
	}
	return bw.Flush()
}
