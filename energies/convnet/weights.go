package convnet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goebm/ebm/fileio"
)

// The parameters as a PyTorch state_dict. The network is the module
//
//	nn.Sequential(nn.Conv2d(c, c1, k, s1, k//2), act, …, nn.Conv2d(…, cL, k, sL, k//2), act,
//	              nn.Flatten(), nn.Linear(F, 1))
//
// (sℓ the layer's stride: strides[ℓ], or stride for all), so convolution ℓ = 0, …, L−1 is the module at index 2ℓ and the linear
// layer the one at 2L+1; Params already holds their tensors in
// state_dict order and layout. With spectral_norm, the state_dict holds
// the effective weights W/σ(W), so that a plain nn.Sequential computes
// the same energy (the metadata says "spectral_norm": "folded").

// StateSpecs lists the tensors of the model's state_dict, names and shapes,
// in module order.
func (m *ConvNet) StateSpecs() []fileio.TensorSpec {
	m.ready()
	var out []fileio.TensorSpec
	for l, s := range m.convs {
		p := strconv.Itoa(2 * l)
		out = append(out, fileio.TensorSpec{Name: p + ".weight", Shape: []int{s.OutC, s.InC, s.K, s.K}}, fileio.TensorSpec{Name: p + ".bias", Shape: []int{s.OutC}})
	}
	p := strconv.Itoa(2*len(m.convs) + 1)
	return append(out, fileio.TensorSpec{Name: p + ".weight", Shape: []int{1, m.flat}}, fileio.TensorSpec{Name: p + ".bias", Shape: []int{1}})
}

// StateDict returns the parameters as the state_dict of the PyTorch
// nn.Sequential of the same architecture (see StateSpecs), in dtype "F64"
// or "F32" ("" means the model's own dtype), and metadata describing the
// model: its type, in_shape, channels, kernel, stride, strides (only when
// set), padding, activation, quadratic term, dtype, spectral_norm and the
// Python expression of the module ("torch"). With spectral_norm the weights are
// W/σ(W), σ estimated as at every call (see the package comment).
func (m *ConvNet) StateDict(dtype string) ([]fileio.Tensor, map[string]string) {
	m.ready()
	if dtype == "" {
		dtype = "F64"
		if m.f32 {
			dtype = "F32"
		}
	}
	inv := m.invSigmas(nil)
	var ts []fileio.Tensor
	for i, s := range m.StateSpecs() {
		l := i / 2
		data := append([]float64(nil), m.params[m.offs[l]:m.offs[l+1]]...)
		rows, cols := m.weightShape(l)
		if i%2 == 0 {
			data = data[:rows*cols]
			if inv != nil {
				for j := range data {
					data[j] *= inv[l] // the effective weight W/σ
				}
			}
		} else {
			data = data[rows*cols:]
		}
		ts = append(ts, fileio.Tensor{Name: s.Name, DType: dtype, Shape: s.Shape, Data: data})
	}
	return ts, m.metadata()
}

// metadata describes the architecture for a safetensors header.
func (m *ConvNet) metadata() map[string]string {
	act := m.adAct.String()
	var mods []string
	for _, s := range m.convs {
		mods = append(mods, fmt.Sprintf("nn.Conv2d(%d, %d, %d, %d, %d)", s.InC, s.OutC, s.K, s.Stride, s.Pad), fileio.TorchActivation(act))
	}
	mods = append(mods, "nn.Flatten()", fmt.Sprintf("nn.Linear(%d, 1)", m.flat))
	sn := "false"
	if m.Spectral {
		sn = "folded"
	}
	meta := map[string]string{
		"type":          "convnet",
		"in_shape":      fileio.IntList(m.InShape),
		"channels":      fileio.IntList(m.Channels),
		"kernel":        strconv.Itoa(m.Kernel),
		"stride":        strconv.Itoa(m.Stride),
		"padding":       strconv.Itoa(m.Kernel / 2),
		"activation":    act,
		"quadratic":     strconv.FormatFloat(m.Quadratic, 'g', -1, 64),
		"dtype":         m.DType,
		"spectral_norm": sn,
		"torch":         "nn.Sequential(" + strings.Join(mods, ", ") + ")",
	}
	if len(m.Strides) != 0 {
		meta["strides"] = fileio.IntList(m.Strides)
	}
	return meta
}

// LoadStateDict sets Params from a state_dict (see StateSpecs): every
// tensor of the architecture must be there with its shape, and no other;
// values of an F32 file are taken exactly. With spectral_norm the tensors
// are the raw weights, which the model divides by σ(W) at every call. meta,
// a safetensors file's metadata (may be nil), must not contradict the
// model: a file written by ebmrun export records its type, activation,
// kernel and stride, and strides when set, and the layers' strides they
// give (strides, or stride for every layer: a file from before strides
// existed has only stride) must be the model's.
func (m *ConvNet) LoadStateDict(ts []fileio.Tensor, meta map[string]string) error {
	m.ready()
	if t, ok := meta["type"]; ok && t != "convnet" {
		return fmt.Errorf("the file holds a %q model, not a convnet", t)
	}
	for _, c := range []struct{ key, have string }{
		{"activation", m.adAct.String()}, {"kernel", strconv.Itoa(m.Kernel)},
	} {
		if v, ok := meta[c.key]; ok && v != c.have {
			return fmt.Errorf("the file was written with %s %s, the model has %s", c.key, v, c.have)
		}
	}
	have := m.layerStrides()
	if v, ok := meta["strides"]; ok {
		if w := fileio.IntList(have); v != w {
			return fmt.Errorf("the file was written with strides %s, the model has %s", v, w)
		}
	} else if v, ok := meta["stride"]; ok {
		for _, s := range have {
			if v != strconv.Itoa(s) {
				return fmt.Errorf("the file was written with stride %s in every layer, the model has strides %s", v, fileio.IntList(have))
			}
		}
	}
	vals, err := fileio.MatchTensors(ts, m.StateSpecs())
	if err != nil {
		return err
	}
	at := 0
	for _, v := range vals {
		at += copy(m.params[at:], v)
	}
	return nil
}

// loadWeights reads the weights file into Params.
func (m *ConvNet) loadWeights() error { return fileio.LoadStateDict(m.Weights, m.LoadStateDict) }
