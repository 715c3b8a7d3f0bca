package runner

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/goebm/ebm/fileio"
)

func energyFlags(fs *flag.FlagSet) {
	fs.Var(new(setList), "set", "override a config value, e.g. --set energy.stds=[1.0,1.0] (repeatable)")
	fs.String("points", "", "points to evaluate: CSV (one point per line, header optional) or .npy of shape (n, dim)")
	fs.String("out", "", "output file: .npy writes NPY of shape (n, 1+dim), anything else CSV (default: CSV on stdout)")
}

func cmdEnergy(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := positional("energy", pos, 1, 1, "one CONFIG file"); err != nil {
		return err
	}
	pts := flagValue(fs, "points")
	if pts == "" {
		return fmt.Errorf("ebmrun energy: --points FILE is required (see ebmrun energy --help)")
	}
	c, err := Load(pos[0], flagSets(fs))
	if err != nil {
		return err
	}
	d := c.Energy.Dim()
	p, err := fileio.ReadPointsFile(pts, d)
	if err != nil {
		return fmt.Errorf("%v (the energy %s has dimension %d)", err, c.EnergyType, d)
	}
	en := make([]float64, p.N)
	grad := make([]float64, p.N*d)
	c.Energy.Gradient(en, grad, p.Data)
	cols := 1 + d
	table := make([]float64, p.N*cols)
	for i := 0; i < p.N; i++ {
		table[i*cols] = en[i]
		copy(table[i*cols+1:(i+1)*cols], grad[i*d:(i+1)*d])
	}
	header := []string{"energy"}
	for j := 0; j < d; j++ {
		header = append(header, fmt.Sprintf("grad_%d", j))
	}
	out := flagValue(fs, "out")
	switch {
	case out == "":
		return fileio.WriteCSV(e.stdout, header, table, cols)
	case strings.HasSuffix(strings.ToLower(out), ".npy"):
		err = fileio.WriteFile(out, func(w io.Writer) error { return fileio.WriteNPY(w, table, p.N, cols) })
	default:
		err = fileio.WriteFile(out, func(w io.Writer) error { return fileio.WriteCSV(w, header, table, cols) })
	}
	if err != nil {
		return fmt.Errorf("ebmrun energy: %v; choose another --out", err)
	}
	return nil
}
