package mlp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goebm/ebm/fileio"
)

// The parameters as a PyTorch state_dict. The network is the module
//
//	nn.Sequential(nn.Linear(dim, h1), act, nn.Linear(h1, h2), act, …, nn.Linear(hL, 1))
//
// so layer ℓ = 1, …, L+1 is the module at index 2(ℓ−1), and its tensors are
// "2(ℓ−1).weight", of shape outₗ×inₗ (nn.Linear's layout: Wₗ transposed),
// and "2(ℓ−1).bias", of length outₗ. The quadratic term is not a module:
// the metadata of a safetensors export records it.

// StateSpecs lists the tensors of the model's state_dict, names and shapes,
// in module order.
func (m *MLP) StateSpecs() []fileio.TensorSpec {
	m.ready()
	var out []fileio.TensorSpec
	for l := 1; l < len(m.layers); l++ {
		in, o := m.layers[l-1], m.layers[l]
		p := strconv.Itoa(2 * (l - 1))
		out = append(out, fileio.TensorSpec{Name: p + ".weight", Shape: []int{o, in}}, fileio.TensorSpec{Name: p + ".bias", Shape: []int{o}})
	}
	return out
}

// StateDict returns the parameters as the state_dict of the PyTorch
// nn.Sequential of the same architecture (see StateSpecs), in dtype "F64"
// or "F32" ("" means the model's own dtype), and metadata describing the
// model: its type, layers, activation, quadratic term, dtype and the
// Python expression of the module ("torch").
func (m *MLP) StateDict(dtype string) ([]fileio.Tensor, map[string]string) {
	m.ready()
	if dtype == "" {
		dtype = "F64"
		if m.f32 {
			dtype = "F32"
		}
	}
	var ts []fileio.Tensor
	for i, s := range m.StateSpecs() {
		l := i/2 + 1
		w, b := m.layer(l)
		data := append([]float64(nil), b...)
		if i%2 == 0 {
			data = make([]float64, len(w))
			transpose(data, w, m.layers[l-1], m.layers[l])
		}
		ts = append(ts, fileio.Tensor{Name: s.Name, DType: dtype, Shape: s.Shape, Data: data})
	}
	return ts, m.metadata()
}

// metadata describes the architecture for a safetensors header.
func (m *MLP) metadata() map[string]string {
	act := m.adAct.String()
	mods := make([]string, 0, 2*len(m.layers))
	for l := 1; l < len(m.layers); l++ {
		if l > 1 {
			mods = append(mods, fileio.TorchActivation(act))
		}
		mods = append(mods, fmt.Sprintf("nn.Linear(%d, %d)", m.layers[l-1], m.layers[l]))
	}
	return map[string]string{
		"type":       "mlp",
		"layers":     fileio.IntList(m.layers),
		"activation": act,
		"quadratic":  strconv.FormatFloat(m.Quadratic, 'g', -1, 64),
		"dtype":      m.DType,
		"torch":      "nn.Sequential(" + strings.Join(mods, ", ") + ")",
	}
}

// LoadStateDict sets Params from a state_dict (see StateSpecs): every
// tensor of the architecture must be there with its shape, and no other;
// values of an F32 file are taken exactly. meta, a safetensors file's
// metadata (may be nil), must not contradict the model: a file written
// by ebmrun export records its type and activation, which must match.
func (m *MLP) LoadStateDict(ts []fileio.Tensor, meta map[string]string) error {
	m.ready()
	if t, ok := meta["type"]; ok && t != "mlp" {
		return fmt.Errorf("the file holds a %q model, not an mlp", t)
	}
	if a, ok := meta["activation"]; ok && a != m.adAct.String() {
		return fmt.Errorf("the file was written with activation %q, the model has %q", a, m.adAct.String())
	}
	vals, err := fileio.MatchTensors(ts, m.StateSpecs())
	if err != nil {
		return err
	}
	for i, v := range vals {
		l := i/2 + 1
		w, b := m.layer(l)
		if i%2 == 0 {
			transpose(w, v, m.layers[l], m.layers[l-1])
		} else {
			copy(b, v)
		}
	}
	return nil
}

// loadWeights reads the weights file into Params.
func (m *MLP) loadWeights() error { return fileio.LoadStateDict(m.Weights, m.LoadStateDict) }
