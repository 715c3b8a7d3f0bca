package fileio

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// TensorFormat returns the weights-file format of path from its extension:
// "safetensors" (.safetensors) or "npz" (.npz); an error otherwise.
func TensorFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".safetensors":
		return "safetensors", nil
	case ".npz":
		return "npz", nil
	}
	return "", fmt.Errorf("%s: a weights file must end in .safetensors or .npz", path)
}

// ReadTensorsFile reads the named arrays of a weights file: a .safetensors
// file (ReadSafetensorsFile), or a .npz archive of .npy arrays (what
// numpy.savez writes; its tensors have an empty DType and no metadata).
// Errors name the file.
func ReadTensorsFile(path string) ([]Tensor, map[string]string, error) {
	format, err := TensorFormat(path)
	if err != nil {
		return nil, nil, err
	}
	if format == "safetensors" {
		return ReadSafetensorsFile(path)
	}
	arrays, err := ReadNPZFile(path)
	var pe *fs.PathError
	if err != nil && !errors.As(err, &pe) && !strings.HasPrefix(err.Error(), path+":") {
		return nil, nil, fmt.Errorf("%s: not a complete npz (zip) file: %w", path, err)
	}
	if err != nil {
		return nil, nil, err
	}
	ts := make([]Tensor, len(arrays))
	for i, a := range arrays {
		ts[i] = Tensor{Name: a.Name, Shape: a.Shape, Data: a.Data}
	}
	return ts, nil, nil
}

// WriteTensorsFile writes tensors to path atomically, as safetensors (with
// meta as its __metadata__) or npz (by the extension of path; an npz file
// holds only the arrays, so meta is not written). Each tensor is stored in
// its DType, F64 or F32 (an npz array as '<f8' or '<f4').
func WriteTensorsFile(path string, tensors []Tensor, meta map[string]string) error {
	format, err := TensorFormat(path)
	if err != nil {
		return err
	}
	return WriteFile(path, func(w io.Writer) error {
		if format == "safetensors" {
			return WriteSafetensors(w, tensors, meta)
		}
		return WriteTensorsNPZ(w, tensors)
	})
}

// WriteTensorsNPZ writes tensors as an uncompressed .npz file, in the order
// given, each array in its DType ('<f8' for F64, '<f4' for F32). The same
// tensors always give the same bytes.
func WriteTensorsNPZ(w io.Writer, tensors []Tensor) error {
	z := zip.NewWriter(w)
	seen := map[string]bool{}
	for _, t := range tensors {
		if err := checkTensor(t); err != nil {
			return err
		}
		if seen[t.Name] {
			return fmt.Errorf("tensor name %q is used twice", t.Name)
		}
		seen[t.Name] = true
		f, err := z.CreateHeader(&zip.FileHeader{Name: t.Name + ".npy", Method: zip.Store, Modified: npzTime})
		if err != nil {
			return err
		}
		descr := "<f8"
		if t.DType == "F32" {
			descr = "<f4"
		}
		if _, err := f.Write(npyHeaderOf(descr, t.Shape...)); err != nil {
			return err
		}
		if err := writeValues(f, t.DType, t.Data); err != nil {
			return err
		}
	}
	return z.Close()
}

// TensorSpec is a tensor a model expects: its name and shape.
type TensorSpec struct {
	Name  string
	Shape []int
}

// MatchTensors checks that ts holds exactly the tensors of want, names and
// shapes, in any order, and returns their values in want's order. The
// error names the first tensor at fault and the shape expected.
func MatchTensors(ts []Tensor, want []TensorSpec) ([][]float64, error) {
	byName := make(map[string]Tensor, len(ts))
	for _, t := range ts {
		if _, dup := byName[t.Name]; dup {
			return nil, fmt.Errorf("tensor %q appears twice", t.Name)
		}
		byName[t.Name] = t
	}
	out := make([][]float64, len(want))
	expected := make(map[string]bool, len(want))
	for i, w := range want {
		expected[w.Name] = true
		t, ok := byName[w.Name]
		if !ok {
			return nil, fmt.Errorf("tensor %q is missing (expected shape %s; the file holds %s)", w.Name, shapeString(w.Shape), tensorNames(ts))
		}
		if !slices.Equal(t.Shape, w.Shape) {
			return nil, fmt.Errorf("tensor %q has shape %s, expected %s", w.Name, shapeString(t.Shape), shapeString(w.Shape))
		}
		for _, v := range t.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("tensor %q holds a non-finite value (%v)", w.Name, v)
			}
		}
		out[i] = t.Data
	}
	for _, t := range ts {
		if !expected[t.Name] {
			return nil, fmt.Errorf("unexpected tensor %q (shape %s): the model expects %s", t.Name, shapeString(t.Shape), specNames(want))
		}
	}
	return out, nil
}

// shapeString writes a shape as PyTorch users read it: [64, 32, 3, 3].
func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func tensorNames(ts []Tensor) string {
	if len(ts) == 0 {
		return "no tensors"
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

func specNames(ws []TensorSpec) string {
	names := make([]string, len(ws))
	for i, w := range ws {
		names[i] = w.Name
	}
	return strings.Join(names, ", ")
}

// torchActivations are the PyTorch modules of ebm's activations (by
// autodiff.Activation's names). PyTorch has no Gaussian exp(−z²/2): the
// README shows the three-line module that "Gaussian()" stands for.
var torchActivations = map[string]string{
	"identity":   "nn.Identity()",
	"softplus":   "nn.Softplus()",
	"silu":       "nn.SiLU()",
	"tanh":       "nn.Tanh()",
	"sigmoid":    "nn.Sigmoid()",
	"elu":        "nn.ELU()",
	"relu":       "nn.ReLU()",
	"leaky_relu": "nn.LeakyReLU(0.2)",
	"gaussian":   "Gaussian()",
}

// TorchActivation returns the Python expression of the PyTorch module that
// computes the activation ebm calls name ("silu" → "nn.SiLU()"), or ""
// for a name it does not know. "gaussian" gives "Gaussian()", a module
// PyTorch lacks (see the README).
func TorchActivation(name string) string { return torchActivations[name] }

// LoadStateDict reads the safetensors or npz file at path and hands its
// tensors and metadata to load (a model's LoadStateDict). Errors name the
// file: a missing or unreadable one as "cannot read PATH: why".
func LoadStateDict(path string, load func([]Tensor, map[string]string) error) error {
	ts, meta, err := ReadTensorsFile(path)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot read %s: %v", path, pe.Err)
	}
	if err != nil {
		return err
	}
	if err := load(ts, meta); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// IntList writes sizes as TOML and JSON do, e.g. [1, 28, 28]: the form of
// shapes in a safetensors file's metadata.
func IntList(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return "[" + strings.Join(s, ", ") + "]"
}
