package runner

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/fileio"
)

// exportCommand is `ebmrun export`: a trained mlp or convnet as a PyTorch
// state_dict.
var exportCommand = &command{name: "export", args: "CHECKPOINT [--format safetensors|npz] [--out FILE] [--dtype float32|float64]",
	short: "write a trained mlp or convnet as a PyTorch state_dict (safetensors or npz)",
	long: "Reads CHECKPOINT (RUN_DIR/checkpoint.ebm) and writes the model's parameters under the names and\n" +
		"in the layouts of the PyTorch nn.Sequential of the same architecture, so that\n" +
		"model.load_state_dict(...) takes them (see the README's \"Weights in and out\"): an mlp is\n" +
		"Linear, act, Linear, …, Linear (keys 0.weight, 0.bias, 2.weight, …); a convnet is Conv2d, act, …,\n" +
		"Flatten, Linear. A safetensors file also records the architecture, the quadratic term (not part\n" +
		"of the Sequential) and the Python expression of the module in its __metadata__; an npz file holds\n" +
		"the tensors only. A spectral_norm convnet is written with its effective weights W/σ(W). The\n" +
		"tensors are float64 for a float64 model and float32 for a float32 one, unless --dtype says.\n" +
		"--out (default: CHECKPOINT with the extension .safetensors or .npz) is written atomically and\n" +
		"replaced if it exists; its extension, when it has one of the two, sets the format.",
	flags: exportFlags, run: cmdExport}

func exportFlags(fs *flag.FlagSet) {
	fs.String("format", "", "safetensors (the default) or npz; implied by an --out ending in .safetensors or .npz")
	fs.String("out", "", "output `FILE` (default: CHECKPOINT with the format's extension)")
	fs.String("dtype", "", "float64 or float32: the tensors' type (default: the model's dtype)")
}

// stateDicter is a learnable energy that can give its parameters as a
// PyTorch state_dict (mlp, convnet).
type stateDicter interface {
	StateDict(dtype string) ([]fileio.Tensor, map[string]string)
}

func cmdExport(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := positional("export", pos, 1, 1, "one CHECKPOINT file"); err != nil {
		return err
	}
	ck, out, format := pos[0], flagValue(fs, "out"), flagValue(fs, "format")
	switch format {
	case "", "safetensors", "npz":
	default:
		return fmt.Errorf("ebmrun export: --format must be safetensors or npz, got %q", format)
	}
	if out != "" {
		if f, err := fileio.TensorFormat(out); err == nil {
			if format != "" && format != f {
				return fmt.Errorf("ebmrun export: --out %s names a %s file, --format says %s; make them agree", out, f, format)
			}
			format = f
		} else if format == "" {
			return fmt.Errorf("ebmrun export: --out %s: give it the extension .safetensors or .npz, or say --format", out)
		} else {
			return fmt.Errorf("ebmrun export: --out %s: a %s file must end in .%s", out, format, format)
		}
	}
	if format == "" {
		format = "safetensors"
	}
	if out == "" {
		out = strings.TrimSuffix(ck, filepath.Ext(ck)) + "." + format
	}
	var dtype string
	switch d := flagValue(fs, "dtype"); d {
	case "":
	case "float64":
		dtype = "F64"
	case "float32":
		dtype = "F32"
	default:
		return fmt.Errorf("ebmrun export: --dtype must be float64 or float32, got %q", d)
	}
	if err := checkOutNotInput("export", out, [2]string{"checkpoint file", ck}); err != nil {
		return err
	}
	f, err := checkpoint.Read(ck)
	if err != nil {
		return fmt.Errorf("ebmrun export: %v", err)
	}
	typ, _ := f.Energy["type"].(string)
	tr, err := f.NewEnergy()
	if err != nil {
		return fmt.Errorf("ebmrun export: %s: %w", ck, err)
	}
	if energies.Conditional(tr) != nil {
		return fmt.Errorf("ebmrun export: %s holds a noise_conditional %q model, which has no PyTorch nn.Sequential counterpart; export writes unconditional mlp and convnet models only", ck, typ)
	}
	if h, ok := tr.(interface{ Denoiser() bool }); ok && h.Denoiser() {
		return fmt.Errorf("ebmrun export: %s holds a convnet with head = \"denoiser\", which has no PyTorch nn.Sequential counterpart; export writes convnets with the linear head only", ck)
	}
	sd, ok := tr.(stateDicter)
	if !ok {
		return fmt.Errorf("ebmrun export: %s holds a %q energy; export writes mlp and convnet models only", ck, typ)
	}
	tensors, meta := sd.StateDict(dtype)
	if err := fileio.WriteTensorsFile(out, tensors, meta); err != nil {
		return fmt.Errorf("ebmrun export: %v; choose another --out", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s model, %d tensors (%s), step %d\n", out, typ, len(tensors), tensors[0].DType, f.Step)
	fmt.Fprintf(e.stdout, "PyTorch module: %s\n", meta["torch"])
	if q := meta["quadratic"]; q != "0" {
		fmt.Fprintf(e.stdout, "plus quadratic·½‖x‖² with quadratic = %s (not part of the module; add it to the energy)\n", q)
	}
	if meta["spectral_norm"] == "folded" {
		fmt.Fprintln(e.stdout, "spectral_norm: the weights are the effective W/σ(W)")
	}
	return nil
}
