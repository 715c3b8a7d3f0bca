package fileio

import (
	"archive/zip"
	"fmt"
	"io"
	"strings"
	"time"
)

// NPZArray is one array of a .npz file: its name (the file in the archive
// is name + ".npy"), its float64 values in C order, and its shape.
type NPZArray struct {
	Name  string
	Data  []float64
	Shape []int
}

// npzTime is the modification time of every member: a fixed one, so that
// the same arrays always give the same bytes.
var npzTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteNPZ writes arrays as an uncompressed .npz file (what numpy.savez
// writes: a zip archive of .npy files), in the order given. NumPy's
// numpy.load reads it as a mapping from the names to the arrays. It panics,
// as WriteNPY does, when a shape does not match its data.
func WriteNPZ(w io.Writer, arrays []NPZArray) error {
	z := zip.NewWriter(w)
	for _, a := range arrays {
		f, err := z.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Store, Modified: npzTime})
		if err != nil {
			return err
		}
		if err := WriteNPY(f, a.Data, a.Shape...); err != nil {
			return err
		}
	}
	return z.Close()
}

// ReadNPZFile reads every array of the .npz file at path (a zip archive of
// .npy files, stored or deflated, as numpy.savez and WriteNPZ write it), in
// archive order. Errors name the file and the member.
func ReadNPZFile(path string) ([]NPZArray, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	var out []NPZArray
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		data, shape, err := ReadNPY(r)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		out = append(out, NPZArray{Name: strings.TrimSuffix(f.Name, ".npy"), Data: data, Shape: shape})
	}
	return out, nil
}
