package runner

func init() {
	commands = []*command{
		{name: "run", args: "CONFIG [--out DIR] [--seed N] [--workers N] [--set key=value …] [--quiet]",
			short: "run a pipeline and write its outputs",
			long: "Runs every sampler of the config on its energy and writes summary.json, samples.npy\n" +
				"(float64, shape (chains, draws, dim); <i>-<type>/samples.npy for several samplers),\n" +
				"samples.png, trace.png, config.toml (resolved) and manifest.json to --out\n" +
				"(default runs/<name>). Ctrl-C stops at the next step, writes what was drawn with\n" +
				"\"partial\": true and exits 130.",
			flags: runFlags, run: cmdRun},
		{name: "validate", args: "CONFIG [--set key=value …] [--out DIR]",
			short: "check a config without running it",
			long:  "Runs every check that run does before it starts, and nothing else.",
			flags: validateFlags, run: cmdValidate},
		{name: "list", args: "[energies|samplers|inits]",
			short: "list registered components",
			long:  "Lists the registered components of each kind (or of one kind) with a one-line description.",
			run:   cmdList},
		{name: "config", args: "NAME",
			short: "print the documented sample TOML of a component",
			long: "Prints the sample table of the named component, every key with its default and a comment.\n" +
				"NAME is searched among all kinds; write energy/NAME, sampler/NAME or init/NAME to choose one.",
			run: cmdConfig},
		{name: "info", args: "",
			short: "show the CPU, its features and the chosen kernel implementation",
			long:  "Shows the Go version, OS/arch, CPU model and features, and which SIMD implementation is in use\n(EBM_SIMD=generic|avx2|neon overrides the choice).",
			run:   cmdInfo},
		{name: "energy", args: "CONFIG --points FILE [--out FILE] [--set key=value …]",
			short: "evaluate the config's energy and gradient at points",
			long: "Reads points (n×dim) from CSV (header optional) or .npy and writes one row per point:\n" +
				"the energy, then the gradient. --out FILE.npy writes NPY (shape (n, 1+dim)); any other\n" +
				"name writes CSV; without --out, CSV goes to standard output.",
			flags: energyFlags, run: cmdEnergy},
		{name: "bench", args: "[flags]",
			short: "run the built-in benchmarks",
			long:  "Times every SIMD kernel in each implementation and the end-to-end chain-steps per second of\nULA, MALA and HMC on an 8-mode Gaussian mixture (package bench); one row per case.",
			flags: benchFlags, run: cmdBench},
	}
}
