package runner

import "fmt"

// Parse checks a whole pipeline before anything runs; each problem is one
// line naming the file, the table, the component and the key.
func ExampleParse() {
	src := `
[energy]
type = "gmm"
means = [[-2.0, 0.0], [2.0, 0.0]]

[init]
mean = [0.0, 10.0, 0.0]

[sampler]
type = "mh"

[run]
chains = 0
`
	_, err := Parse("fig1.toml", []byte(src), nil)
	fmt.Println(err)

	c, err := Parse("fig1.toml", []byte(src), []string{"run.chains=64", "init.mean=[0.0, 10.0]"})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Name, c.EnergyType, c.Energy.Dim(), c.Samplers[0].Type, c.Run.Chains)
	// Output:
	// fig1.toml: [init] (gaussian): key "mean" has 3 values but the energy has dimension 2
	// fig1.toml: [run]: key "chains": must be > 0, got 0
	// fig1 gmm 2 mh 64
}
