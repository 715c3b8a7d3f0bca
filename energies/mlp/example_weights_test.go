package mlp_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/mlp"
	"github.com/goebm/ebm/fileio"
)

// A network's parameters as a PyTorch state_dict, written to a safetensors
// file and read back through the weights key, as a config would: the
// second model computes the first one's energy.
func ExampleMLP_StateDict() {
	m, _ := mlp.New(2, []int{4}, "tanh", 1)
	tensors, meta := m.StateDict("")
	for _, t := range tensors {
		fmt.Println(t.Name, t.DType, t.Shape)
	}
	fmt.Println(meta["torch"])

	dir, _ := os.MkdirTemp("", "weights")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "net.safetensors")
	if err := fileio.WriteTensorsFile(path, tensors, meta); err != nil {
		fmt.Println(err)
		return
	}
	e, err := energies.FromTable(map[string]any{"type": "mlp", "dim": 2, "hidden": []any{4}, "activation": "tanh", "weights": path})
	if err != nil {
		fmt.Println(err)
		return
	}
	x := []float64{0.5, -1}
	e1, e2 := make([]float64, 1), make([]float64, 1)
	m.Energy(e1, x)
	e.Energy(e2, x)
	fmt.Println(e1[0] == e2[0])
	// Output:
	// 0.weight F64 [4 2]
	// 0.bias F64 [4]
	// 2.weight F64 [1 4]
	// 2.bias F64 [1]
	// nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
	// true
}
