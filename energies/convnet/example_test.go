package convnet_test

import (
	"fmt"

	"github.com/goebm/ebm/energies/convnet"
)

// The peers' network on MNIST-sized images, and where its layers sit in
// Params (PyTorch's state_dict order: each convolution's weight
// OutC×InC×K×K and bias, then the linear layer's weight and bias).
func Example() {
	m, err := convnet.New([]int{1, 28, 28}, []int{32, 64, 64}, "silu", 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(m)
	off := 0
	for i, s := range m.Convs() {
		w := s.OutC * s.KernelSize()
		fmt.Printf("conv%d.weight [%d:%d] %d×%d×%d×%d, bias [%d:%d]\n", i, off, off+w, s.OutC, s.InC, s.K, s.K, off+w, off+w+s.OutC)
		off += w + s.OutC
	}
	fmt.Printf("linear.weight [%d:%d], bias [%d:%d]\n", off, len(m.Params())-1, len(m.Params())-1, len(m.Params()))

	x := make([]float64, 2*m.Dim()) // two blank images
	e, grad := make([]float64, 2), make([]float64, len(x))
	m.Gradient(e, grad, x)
	fmt.Println(e[0] == e[1])
	// Output:
	// 1×28×28 → conv 32 (14×14) → conv 64 (7×7) → conv 64 (4×4) → linear 1024→1
	// conv0.weight [0:288] 32×1×3×3, bias [288:320]
	// conv1.weight [320:18752] 64×32×3×3, bias [18752:18816]
	// conv2.weight [18816:55680] 64×64×3×3, bias [55680:55744]
	// linear.weight [55744:56768], bias [56768:56769]
	// true
}
