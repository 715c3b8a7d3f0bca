package runner

// commands are the subcommands of ebmrun, in the order help lists them.
// init fills the table: a command prints help, which lists the commands,
// so a plain initializer would refer to itself.
var commands []*command

func init() {
	commands = []*command{
		{name: "run", args: "CONFIG [--out DIR] [--seed N] [--workers N] [--set key=value …] [--shard i/n|auto [--shards N]] [--quiet] [--force] | --resume DIR [--set train.steps=N …]",
			short: "run a sampling or training pipeline and write its outputs",
			long: "A sampling config ([energy], [sampler], [run]) runs every sampler on its energy and writes\n" +
				"summary.json, samples.npy (float64, shape (chains, draws, dim), or (chains, draws, c, h, w) for an\n" +
				"image energy; <i>-<type>/samples.npy for\n" +
				"several samplers), samples.png, trace.png, config.toml (resolved) and manifest.json.\n" +
				"A training config ([data], [energy], [objective], [optimizer], [train], optional [eval] and\n" +
				"[sample]) trains the learnable energy with a progress bar, then evaluates and samples it, and\n" +
				"writes checkpoint.ebm, loss.csv, eval.json, density.png, samples.npy, samples.png, config.toml\n" +
				"and manifest.json. Outputs go to --out (default runs/<name>), locked while the run writes; a\n" +
				"directory holding another run's outputs (another name or kind, a partial training run) is\n" +
				"refused unless --force, which removes them first. --resume DIR continues an interrupted\n" +
				"training run bit-identically; --set may then change only train.steps (extending a finished\n" +
				"run), logging, checkpointing, evaluation, sampling and optimizer.lr. Ctrl-C stops at the next\n" +
				"step, keeps what is done (marked \"partial\": true; a training run keeps its last checkpoint)\n" +
				"and exits 130; SIGTERM does the same and exits 143.\n" +
				"--shard i/n (sampling configs) runs only the i-th of n contiguous blocks of chains, numbered\n" +
				"from 0, into --out (default runs/<name>/shard-i-of-n); each chain draws exactly what it draws\n" +
				"in the whole run, and ebmrun merge combines the shards. --shard auto takes i and n from a\n" +
				"Slurm array job (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT or _MIN/_MAX) or a Kubernetes\n" +
				"Indexed Job (JOB_COMPLETION_INDEX, with n from --shards N or EBM_SHARDS).",
			flags: runFlags, run: cmdRun},
		{name: "merge", args: "--out DIR SHARD_DIR… [--format png|svg|pdf] [--quiet] [--force]",
			short: "combine the shards of a sampling run (run --shard i/n) into the whole run's outputs",
			long: "Checks that the shard directories come from one resolved config (the sha256 in their\n" +
				"manifest.json) and hold every shard 0…n−1 exactly once, concatenates their draws in chain\n" +
				"order, recomputes the diagnostics and plots, and writes into --out what one run on one machine\n" +
				"writes: samples.npy (byte-identical), summary.json, samples.png, trace.png, config.toml and\n" +
				"manifest.json (figures in --format, as run's). It streams: the draws are copied shard by shard\n" +
				"into samples.npy, and the diagnostics and plots read them back from the file. A mismatch is a\n" +
				"one-line error, exit 2.",
			flags: mergeFlags, run: cmdMerge},
		{name: "sweep", args: "SWEEP.toml [--list] [--index i|auto] [--out DIR] [--quiet] [--force]",
			short: "run a base config at the points of a grid or a list of --set overrides",
			long: "A sweep file names a base config (base = \"configs/x.toml\", relative to the sweep file), an\n" +
				"out directory (out = \"runs/x\", default runs/<sweep file name>) and either a [grid] of\n" +
				"\"key.path\" = [values] (the Cartesian product; keys in file order, the last varying fastest) or\n" +
				"[[point]] tables of \"key.path\" = value; the keys are those of --set. Every point's keys are\n" +
				"checked before anything runs. Point i runs as ebmrun run BASE --set k=v … --out OUT/<i>-<slug>;\n" +
				"without --index all points run in turn. --list prints the points; --index i runs point i\n" +
				"(numbered from 0), --index auto the one of SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.\n" +
				"OUT/sweep.json records the points for ebmrun collect.",
			flags: sweepFlags, run: cmdSweep},
		{name: "collect", args: "DIR [--metric NAME]",
			short: "gather a sweep's points into DIR/collect.csv and a plot DIR/collect.png",
			long: "Reads DIR/sweep.json (written by ebmrun sweep) and each point's summary.json (sampling:\n" +
				"acceptance, divergences, max_rhat, min_ess_bulk per sampler) or eval.json (training: nll,\n" +
				"nll_stderr, mmd2, final_loss), and writes one row per finished point (index, slug, the swept\n" +
				"keys, the metrics) to DIR/collect.csv and the --metric against the first swept key to\n" +
				"DIR/collect.png. Points not run yet are left out with a warning.",
			flags: collectFlags, run: cmdCollect},
		{name: "validate", args: "CONFIG [--set key=value …] [--out DIR]",
			short: "check a config without running it",
			long:  "Runs every check that run does before it starts, and nothing else.",
			flags: validateFlags, run: cmdValidate},
		{name: "list", args: "[energies|samplers|inits|data|objectives|optimizers]",
			short: "list registered components",
			long:  "Lists the registered components of each kind (or of one kind) with a one-line description.",
			run:   cmdList},
		{name: "config", args: "NAME",
			short: "print the documented sample TOML of a component",
			long: "Prints the sample table of the named component, every key with its default and a comment.\n" +
				"NAME is searched among all kinds; write KIND/NAME (energy/, sampler/, init/, data/, objective/\n" +
				"or optimizer/) to choose one.",
			run: cmdConfig},
		{name: "info", args: "",
			short: "show the CPU, its features and the chosen kernel implementation",
			long:  "Shows the Go version, OS/arch, CPU model and features, and which SIMD implementation is in use\n(EBM_SIMD=generic|avx2|avx512|neon overrides the choice).",
			run:   cmdInfo},
		{name: "energy", args: "CONFIG|--checkpoint FILE --points FILE [--out FILE] [--set key=value …]",
			short: "evaluate an energy and its gradient at points",
			long: "Evaluates the [energy] of a sampling config (no other table is needed), or with\n" +
				"--checkpoint FILE a trained model (RUN_DIR/checkpoint.ebm), at points. Reads points (n×dim)\n" +
				"from CSV (header optional) or .npy, or the samples.npy that run writes ((chains, draws, dim) or (chains, draws, c, h, w)),\n" +
				"whose rows come out in chain-major order (chain 0's draws first); every value must be finite.\n" +
				"Writes one row per point: the energy, then the gradient. --out FILE.npy writes NPY (shape\n" +
				"(n, 1+dim)); any other name writes CSV; without --out, CSV goes to standard output. --out\n" +
				"must not name an input file.",
			flags: energyFlags, run: cmdEnergy},
		{name: "check", args: "CONFIG [--points N] [--seed N] [--checkpoint FILE] [--set key=value …]",
			short: "check an energy's gradient and batches against the energy contract",
			long: "Runs the energy conformance kit (package energies/energytest) on the [energy] of CONFIG, any\n" +
				"registered energy, a third party's included: its gradient against central differences of its\n" +
				"energy, batch consistency, concurrent calls, and its moments where it states them. A sampling\n" +
				"config is checked at the first --points start points a run draws from [init] and at the last\n" +
				"draws of as many chains of its first sampler after 50 iterations; a training config at --points\n" +
				"rows of its data set, for its untrained [energy] or, with --checkpoint FILE, a trained model.\n" +
				"Prints the checks, the points and the worst relative gradient error; a failure names the\n" +
				"dimensions that disagree. Exit status: 0 all pass, 1 a check fails, 2 a bad config.",
			flags: checkFlags, run: cmdCheck},
		exportCommand,
		{name: "bench", args: "[flags]",
			short: "run the built-in benchmarks",
			long: "Times every SIMD kernel in each implementation, the end-to-end chain-steps per second of\n" +
				"ULA, MALA, HMC and NUTS on an 8-mode Gaussian mixture and HMC on 2-D Rosenbrock, and the learnable-energy workloads\n" +
				"(mlp_grad_b1024: ∇ₓE of a 2-128-128-1 MLP; dsm_step_b256 and pcd_step_b256_k20: one DSM or PCD training step; mlp784_dsm_step_b128: a DSM step of a 784-512-512-1 MLP; pcd_mnist_step_b128_k60, msdsm_mnist_step_b128 and pcd_conv_mnist_step_b64_k60: the image recipes' steps; conv_grad_b128 and conv_dsm_step_b128: the default convnet on 128 MNIST-sized images; each in float64 and float32)\n" +
				"(package bench); one row per case.",
			flags: benchFlags, run: cmdBench},
	}
}
