package mlp

import (
	"fmt"

	"github.com/goebm/ebm/registry"
)

// Footprint is the parameters Validate draws and what a gradient call
// keeps (a copy of them and the transposed weights): about 3 × (number of
// parameters) × 8 bytes, counted
// from dim and hidden without allocating them.
func (m *MLP) Footprint(ctx registry.Context) registry.Footprint {
	layers := append(append([]int{m.D}, m.Hidden...), 1)
	var p int64
	widest := 0
	for l := 1; l < len(layers); l++ {
		in, out := int64(max(layers[l-1], 0)), int64(max(layers[l], 0))
		p = registry.AddBytes(p, registry.Bytes(in, out), out)
		widest = max(widest, layers[l])
	}
	keys := []string{"hidden"}
	if m.D > widest {
		keys = []string{"dim", "hidden"}
	}
	return registry.Footprint{
		Bytes: registry.Bytes(p, 3, 8),
		Keys:  keys,
		What:  fmt.Sprintf("%d parameters, the copy a gradient call keeps and their transposes × 8 bytes", p),
	}
}

var _ registry.Footprinter = (*MLP)(nil)
