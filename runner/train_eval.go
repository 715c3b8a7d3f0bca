package runner

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"time"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/train"
)

// borderWarn is the border mass of the quadrature grid above which log Z,
// and so the NLL, is suspect: the density has mass at or beyond the grid's
// edge, which the quadrature misses.
const borderWarn = 1e-3

// evalPoint is one entry of eval.json's history.
type evalPoint struct {
	Step       int64  `json:"step"`
	NLL        number `json:"nll"`
	NLLStderr  number `json:"nll_stderr"`
	LogZ       number `json:"log_z"`
	BorderMass number `json:"border_mass"`
}

// history is the trainer's evaluation history as eval.json writes it.
func (r *trainRun) history() []evalPoint {
	h := make([]evalPoint, 0, len(r.tr.History()))
	for _, p := range r.tr.History() {
		h = append(h, evalPoint{Step: p.Step, NLL: number(p.NLL), NLLStderr: number(p.NLLStderr), LogZ: number(p.LogZ), BorderMass: number(p.BorderMass)})
	}
	return h
}

// gridFile is the quadrature grid in eval.json.
type gridFile struct {
	Lo     []number `json:"lo"`
	Hi     []number `json:"hi"`
	Res    int      `json:"res"`
	Margin float64  `json:"margin"`
	Points int      `json:"points"`
}

// evalFile is eval.json: how well the trained model fits.
type evalFile struct {
	Name         string `json:"name"`
	Partial      bool   `json:"partial"`
	Steps        int64  `json:"steps"`
	StepsPlanned int    `json:"steps_planned"`
	Data         string `json:"data"`
	Energy       string `json:"energy"`
	Objective    string `json:"objective"`
	Optimizer    string `json:"optimizer"`
	Dim          int    `json:"dim"`
	NTrain       int    `json:"n_train"`
	NHeldout     int    `json:"n_heldout"`
	EvaluatedOn  string `json:"evaluated_on"` // "heldout" or "train"
	FinalLoss    number `json:"final_loss"`   // the last loss.csv row

	// Exact NLL (nats per point) of the evaluation rows under the model
	// normalized by quadrature on Grid: dim ≤ 3 only, else null.
	NLL        number    `json:"nll"`
	NLLStderr  number    `json:"nll_stderr"`
	LogZ       number    `json:"log_z"`
	BorderMass number    `json:"border_mass"`
	Grid       *gridFile `json:"grid"`

	// Unbiased squared MMD between model samples and the evaluation rows,
	// and, for scale, between training and evaluation rows (same bandwidth).
	MMD2         number `json:"mmd2"`
	MMD2Data     number `json:"mmd2_train_vs_eval"`
	MMDBandwidth number `json:"mmd_bandwidth"`
	MMDN         int    `json:"mmd_n"`

	Sampler           string `json:"sampler"`
	Samples           string `json:"samples"`
	SampleChains      int    `json:"sample_chains"`
	SampleWarmup      int    `json:"sample_warmup"`
	SampleDraws       int    `json:"sample_draws"`
	SampleDivergences int64  `json:"sample_divergences"`

	// Evaluation for any dimension (train_eval_any.go): absent when off.
	AIS     *aisFile     `json:"ais,omitempty"`
	Denoise *denoiseFile `json:"denoise,omitempty"`
	NN      *nnFile      `json:"nn,omitempty"`
	// What an independent classifier says of the samples ([eval]
	// classifier, image_quality.go): absent when off or impossible.
	Quality *imageQuality `json:"quality,omitempty"`
	// The same classifier's verdict on the draws after [sample]
	// denoise_sigma's Tweedie step, when set: those samples.npy holds.
	QualityDenoised *imageQuality `json:"quality_denoised,omitempty"`

	TrainSeconds number `json:"train_seconds"`
	WallSeconds  number `json:"wall_seconds"`

	Warnings []string    `json:"warnings"`
	Notes    []string    `json:"notes"`
	History  []evalPoint `json:"history"`
}

// newEvalFile fills what is known without evaluating.
func (r *trainRun) newEvalFile() *evalFile {
	c := r.c
	nan := number(math.NaN())
	ev := &evalFile{
		Name: c.Name, Steps: r.tr.Done(), StepsPlanned: c.Train.Steps,
		Data: c.DataType, Energy: c.EnergyType, Objective: c.ObjectiveType, Optimizer: c.OptimizerType,
		Dim: r.dim, NTrain: len(r.train) / r.dim, EvaluatedOn: r.evalOn,
		FinalLoss: nan, NLL: nan, NLLStderr: nan, LogZ: nan, BorderMass: nan,
		MMD2: nan, MMD2Data: nan, MMDBandwidth: nan, Sampler: c.Sample.Sampler.Type,
		TrainSeconds: number(r.tr.Seconds()),
		Warnings:     append([]string{}, c.Warnings...), Notes: append([]string{}, r.notes...), History: r.history(),
	}
	if r.evalOn == "heldout" {
		ev.NHeldout = len(r.eval) / r.dim
	}
	if rows := r.tr.Rows(); len(rows) > 0 {
		ev.FinalLoss = number(rows[len(rows)-1].Loss)
	}
	return ev
}

// evaluate scores the trained model: the exact NLL by quadrature (dim ≤ 3),
// log Z by AIS and the denoising loss (when [eval] asks), then draws from
// it with the [sample] sampler, compares the draws with the evaluation rows
// by MMD and, when [eval] nn is on, measures their distances to the
// training rows. It returns the draws (nil when none) and whether Ctrl-C
// cut it short.
func (r *trainRun) evaluate(ctx context.Context, ev *evalFile, e *env, quiet bool) (*samplers.Result, bool) {
	c := r.c
	defer pin(c.Model)()
	if r.grid != nil {
		g := *r.grid
		ev.Grid = &gridFile{Lo: numbers(g.Lo), Hi: numbers(g.Hi), Res: g.Res, Margin: c.Eval.Margin, Points: pow(g.Res, r.dim)}
		p := newEvalProgress(e.stderr, "eval log Z", quiet)
		res, err := evaluate.LogZProgress(ctx, c.Model, g, p.update)
		p.end(ctx)
		switch {
		case ctx.Err() != nil:
			return nil, true
		case err != nil:
			ev.Warnings = append(ev.Warnings, fmt.Sprintf("log Z could not be computed: %v", err))
		default:
			ev.LogZ, ev.BorderMass = number(res.LogZ), number(res.BorderMass)
			if res.BorderMass > borderWarn {
				w := fmt.Sprintf("%.3g of the probability mass lies in the outermost grid cells (> %g): the model puts mass at or beyond the grid's edge, so log Z is underestimated and the NLL is optimistic; widen [eval] margin or make the energy confining (e.g. [energy] quadratic > 0)", res.BorderMass, borderWarn)
				ev.Warnings = append(ev.Warnings, w)
				fmt.Fprintln(e.stderr, "ebmrun: warning: "+w)
			}
			mean, se, err := evaluate.NLL(c.Model, r.eval, res.LogZ)
			if err != nil {
				ev.Warnings = append(ev.Warnings, fmt.Sprintf("NLL could not be computed: %v", err))
			} else {
				ev.NLL, ev.NLLStderr = number(mean), number(se)
			}
		}
	} else {
		ev.Notes = append(ev.Notes, fmt.Sprintf("NLL skipped: the data has dimension %d, and log Z by quadrature is exact only for dimension ≤ 3", r.dim))
	}
	// Each phase below frees the previous one's scratch first (phaseStart):
	// on image data they each hold hundreds of MB beside the data.
	phaseStart()
	if c.Eval.AIS && r.evaluateAIS(ctx, ev, e, quiet) {
		return nil, true
	}
	phaseStart()
	if len(c.Eval.DenoiseSigmas) > 0 && r.evaluateDenoise(ctx, ev) {
		return nil, true
	}

	// Draws from the trained model.
	phaseStart()
	s := c.Sample
	seed := train.SubSeed(c.Train.Seed, train.SeedSample)
	init := r.sampleInit(seed)
	p := newProgress(e.stderr, "sample "+c.Sample.Sampler.Type, quiet)
	res, err := samplers.Run(ctx, c.Model, c.Sample.Sampler.Value, samplers.Options{
		Chains: s.Chains, Warmup: s.Warmup, Draws: s.Draws, Thin: 1,
		Seed: seed, Workers: s.Workers, Init: init,
		Progress: p.update,
	})
	p.end(ctx)
	interrupted := err != nil && ctx.Err() != nil
	if err != nil && !interrupted {
		ev.Warnings = append(ev.Warnings, fmt.Sprintf("sampling the trained model failed: [sample.sampler] (%s): %v", c.Sample.Sampler.Type, err))
		return nil, false
	}
	if res == nil || res.Draws == 0 {
		return nil, interrupted
	}
	phaseStart()
	if c.Eval.NN && !interrupted && r.evaluateNN(ctx, ev, res) {
		interrupted = true
	}
	ev.Samples, ev.SampleChains, ev.SampleWarmup, ev.SampleDraws = "samples.npy", res.Chains, s.Warmup, res.Draws
	ev.SampleDivergences = res.Warmup.Divergences + res.Sampling.Divergences

	x, bad := r.modelRows(res)
	if bad > 0 {
		ev.Warnings = append(ev.Warnings, fmt.Sprintf("%d model draws are not finite (diverged chains): left out of the MMD, kept in samples.npy", bad))
	}
	if len(x) >= 2*r.dim && len(r.eval) >= 2*r.dim {
		mmd2, bw := evaluate.MMD(x, r.eval, r.dim, c.Eval.MMDBandwidth, c.Eval.MMDMax)
		ev.MMD2, ev.MMDBandwidth = number(mmd2), number(bw)
		ev.MMDN = min(len(x)/r.dim, len(r.eval)/r.dim, c.Eval.MMDMax)
		if r.evalOn == "heldout" {
			d2, _ := evaluate.MMD(r.train, r.eval, r.dim, bw, c.Eval.MMDMax)
			ev.MMD2Data = number(d2)
		}
	}
	// [sample] denoise_sigma's Tweedie step, once, on the draws themselves:
	// the MMD above is of the draws before it, the classifier judges both.
	r.denoiseNote(res, &ev.Notes)
	phaseStart()
	if c.Eval.Classifier && !interrupted && len(x) >= 2*r.dim {
		var xd []float64
		if c.Sample.Denoise > 0 {
			xd, _ = r.modelRows(res)
		}
		r.judgeSamples(ev, x, xd)
	}
	if interrupted {
		ev.Notes = append(ev.Notes, fmt.Sprintf("sampling was interrupted after %d of %d draws per chain", res.Draws, s.Draws))
	}
	return res, interrupted
}

// modelRows returns the model draws the MMD and the classifier take: the
// last draw of every chain first, then earlier draws, at most [eval]
// mmd_max finite rows (copied), and how many rows were not finite.
func (r *trainRun) modelRows(res *samplers.Result) (x []float64, bad int) {
	limit := r.c.Eval.MMDMax * r.dim
	for t := res.Draws - 1; t >= 0 && len(x) < limit; t-- {
		for ch := 0; ch < res.Chains && len(x) < limit; ch++ {
			row := res.Samples[(ch*res.Draws+t)*r.dim : (ch*res.Draws+t+1)*r.dim]
			if finiteRow(row) {
				x = append(x, row...)
			} else {
				bad++
			}
		}
	}
	return x, bad
}

// newEvalProgress reports a quadrature's grid points, lazily: an
// evaluation that takes less than a second shows nothing.
func newEvalProgress(w io.Writer, label string, quiet bool) *progress {
	p := newProgress(w, label, quiet)
	p.unit, p.lazy = "grid points", time.Second
	return p
}

// midRunEval is the OnEval hook of the training loop: the held-out NLL by
// quadrature every [train] eval_every steps, with its progress shown when
// it is slow (on tr, the training's own progress, for its writer and
// quietness). Ctrl-C abandons it: the loop then records no point for the
// step, and the run's notes say so.
func (r *trainRun) midRunEval(tr *progress) func(ctx context.Context, step int64) train.EvalPoint {
	var p *progress
	at := int64(-1)
	hook := train.QuadratureNLLProgress(r.c.Model, *r.grid, r.eval, func(step int64, done, total int) {
		if step != at {
			p, at = newEvalProgress(tr.w, fmt.Sprintf("eval log Z at step %d", step), tr.quiet), step
		}
		p.update(done, total)
	})
	return func(ctx context.Context, step int64) train.EvalPoint {
		r.tr.UseAverage(true) // the next step puts the optimizer's parameters back
		unpin := pin(r.c.Model)
		pt := hook(ctx, step)
		unpin()
		if p != nil && at == step {
			p.end(ctx)
		}
		if ctx.Err() != nil {
			r.notes = append(r.notes, fmt.Sprintf("the evaluation after step %d was interrupted: no history point recorded for it", step))
		}
		return pt
	}
}

func finiteRow(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func numbers(x []float64) []number {
	out := make([]number, len(x))
	for i, v := range x {
		out[i] = number(v)
	}
	return out
}

func pow(b, e int) int {
	p := 1
	for range e {
		p *= b
	}
	return p
}

// phaseStart returns the garbage of the previous evaluation phase to the
// operating system before the next one allocates its own: without it the
// heap grows to about twice what is live (GOGC = 100), and the peak
// resident memory of an image run is the sum of its phases' scratch.
func phaseStart() { debug.FreeOSMemory() }

// pin pins e (energies.Pinner: nothing writes its parameters until the
// returned function unpins it) when it is a Pinner, so that its calls skip
// checking their parameters for changes; the returned function undoes it.
func pin(e any) func() {
	p, ok := e.(energies.Pinner)
	if !ok {
		return func() {}
	}
	p.Pin()
	return p.Unpin
}
