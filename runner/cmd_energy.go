package runner

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/fileio"
)

func energyFlags(fs *flag.FlagSet) {
	fs.Var(new(setList), "set", "override a config value, e.g. --set energy.stds=[1.0,1.0] (repeatable)")
	fs.String("points", "", "points to evaluate: CSV (one point per line, header optional), .npy of shape (n, dim), or a\nsamples.npy of shape (chains, draws, dim) as run writes it (rows in chain-major order); every value finite")
	fs.String("out", "", "output file: .npy writes NPY of shape (n, 1+dim), anything else CSV (default: CSV on stdout);\nnever one of the input files")
	fs.String("checkpoint", "", "evaluate the learnable energy saved in this checkpoint file, in place of CONFIG")
}

// energyArgs checks that `ebmrun energy` got exactly one of a CONFIG file
// and --checkpoint FILE (and no --set with a checkpoint).
func energyArgs(fs *flag.FlagSet, pos []string) error {
	ck := flagValue(fs, "checkpoint")
	if ck == "" {
		return positional("energy", pos, 1, 1, "one CONFIG file or --checkpoint FILE")
	}
	if len(pos) > 0 {
		return fmt.Errorf("ebmrun energy: give a CONFIG file or --checkpoint FILE, not both (got %q and --checkpoint %s)", pos, ck)
	}
	if len(flagSets(fs)) > 0 {
		return fmt.Errorf("ebmrun energy: --set overrides values of a CONFIG file; it cannot be used with --checkpoint")
	}
	return nil
}

// loadEnergy returns the energy that `ebmrun energy` evaluates and its type
// for messages: the CONFIG's [energy], or the learnable energy saved in the
// --checkpoint file with its trained parameters.
func loadEnergy(fs *flag.FlagSet, pos []string) (energies.Energy, string, error) {
	ck := flagValue(fs, "checkpoint")
	if ck == "" {
		return loadEnergyConfig(pos[0], flagSets(fs))
	}
	f, err := checkpoint.Read(ck)
	if err != nil {
		return nil, "", err
	}
	tr, err := f.NewEnergy()
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", ck, err)
	}
	typ, _ := f.Energy["type"].(string)
	return tr, typ + " from " + ck, nil
}

func cmdEnergy(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := energyArgs(fs, pos); err != nil {
		return err
	}
	pts := flagValue(fs, "points")
	if pts == "" {
		return fmt.Errorf("ebmrun energy: --points FILE is required (see ebmrun energy --help)")
	}
	out := flagValue(fs, "out")
	cfg := ""
	if len(pos) > 0 {
		cfg = pos[0]
	}
	if err := checkOutNotInput("energy", out, [2]string{"config file", cfg}, [2]string{"points file", pts},
		[2]string{"checkpoint file", flagValue(fs, "checkpoint")}); err != nil {
		return err
	}
	energy, typ, err := loadEnergy(fs, pos)
	if err != nil {
		return err
	}
	d := energy.Dim()
	p, err := readEnergyPoints(pts, d)
	if _, ok := err.(valueError); ok {
		return err
	}
	if err != nil {
		return fmt.Errorf("%v (the energy %s has dimension %d)", err, typ, d)
	}
	en := make([]float64, p.N)
	grad := make([]float64, p.N*d)
	energy.Gradient(en, grad, p.Data)
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
