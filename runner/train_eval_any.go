package runner

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/plots"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/train"
)

// Evaluation for any dimension (the [eval] keys ais*, denoise*, nn*): log Z
// by annealed importance sampling and the held-out log-likelihood from it,
// the held-out denoising loss at fixed noise levels, and nearest-neighbour
// distances to the training rows. Each writes its own object into
// eval.json ("ais", "denoise", "nn"), absent when it is off, so the
// eval.json of a run with all three off (the default for dimension ≤ 3) is
// as it was.

// Streams of the evaluation's seeds, SubSeed(seed, k), apart from
// train.SeedSplit … SeedSample and the progress draws (1000 + step).
const (
	seedAIS     = 100
	seedDenoise = 101
)

// aisFile is eval.json's "ais": log Z by AIS and the held-out likelihood.
type aisFile struct {
	LogZ       number `json:"log_z"`
	LogZStderr number `json:"log_z_stderr"` // delta method: sd(w)/(√R·mean w)
	ESS        number `json:"ess"`          // (Σw)²/Σw² of the chains' weights
	// The mean log-likelihood of the evaluation rows, −mean E − log Z,
	// nats per point, with its standard error (that of the mean energy and
	// of log Z combined); per dimension in nats, and in bits per dimension
	// for image data (BPD, else null).
	LogLik       number `json:"loglik"`
	LogLikStderr number `json:"loglik_stderr"`
	NLLPerDim    number `json:"nll_per_dim"`
	BPD          number `json:"bpd"`
	BPDLevels    int    `json:"bpd_levels,omitempty"` // grey levels per value assumed by bpd
	BPDRange     number `json:"bpd_range"`            // hi − lo of the values' range assumed by bpd

	Chains        int      `json:"chains"`
	Steps         int      `json:"steps"`
	Schedule      string   `json:"schedule"`
	Base          string   `json:"base"`
	Kernel        string   `json:"kernel"`
	Leapfrog      int      `json:"leapfrog,omitempty"`
	LogZBase      number   `json:"log_z_base"`
	Acceptance    number   `json:"acceptance"`          // mean over every transition of the main run
	AcceptByTenth []number `json:"acceptance_by_tenth"` // means over consecutive tenths of the βs
	PilotAccept   number   `json:"pilot_acceptance"`    // the pilot run's mean
	StepSizeRange []number `json:"step_size_range"`     // smallest and largest step used
	Divergences   int64    `json:"divergences"`         // rejected non-finite proposals
	LogWeights    []number `json:"log_weights"`         // each chain's log w
	Seconds       number   `json:"seconds"`
}

// denoiseFile is eval.json's "denoise".
type denoiseFile struct {
	NHeldout int            `json:"n_heldout"`
	NTrain   int            `json:"n_train"`
	Levels   []denoiseLevel `json:"levels"`
	Seconds  number         `json:"seconds"`
}

// denoiseLevel is the denoising loss at one σ on evaluation and training rows.
type denoiseLevel struct {
	Sigma        number `json:"sigma"`
	Loss         number `json:"loss"` // evaluation rows: mean ½‖∇E(x + σz) − z/σ‖²
	Stderr       number `json:"loss_stderr"`
	TrainLoss    number `json:"train_loss"` // the same on training rows (a gap suggests overfitting)
	TrainStderr  number `json:"train_loss_stderr"`
	PerDim       number `json:"loss_per_dim"`
	TrainPerDim  number `json:"train_loss_per_dim"`
	WeightedLoss number `json:"loss_sigma2"` // σ²·loss: msdsm's weighting
}

// nnFile is eval.json's "nn": distances to the nearest training row.
type nnFile struct {
	NTrain  int          `json:"n_train"` // training rows searched
	Samples *nnSummary   `json:"samples"` // model samples (the last draw of each chain)
	Heldout *nnSummary   `json:"heldout"` // held-out rows (null when there are none)
	Ratio   number       `json:"median_ratio"`
	Seconds number       `json:"seconds"`
	dist    [2][]float64 // samples', held-out rows' distances, for the plot
}

// nnSummary summarises one set of distances.
type nnSummary struct {
	N      int    `json:"n"`
	Mean   number `json:"mean"`
	Median number `json:"median"`
	Q10    number `json:"q10"`
	Min    number `json:"min"`
}

// evaluateAIS estimates log Z by AIS and the evaluation rows'
// log-likelihood. It reports whether Ctrl-C cut it short.
func (r *trainRun) evaluateAIS(ctx context.Context, ev *evalFile, e *env, quiet bool) bool {
	c, s := r.c, r.c.Eval
	o := evaluate.AISOptions{Chains: s.AISChains, Steps: s.AISSteps, Schedule: s.AISSchedule, Kernel: s.AISKernel,
		Leapfrog: s.AISLeapfrog, Seed: train.SubSeed(c.Train.Seed, seedAIS), Workers: c.Sample.Workers}
	if s.AISBase == "fitted" {
		o.Mean, o.Std = evaluate.FitBase(r.train, r.dim)
	}
	p := newProgress(e.stderr, "eval AIS", quiet)
	p.unit, p.lazy = "chain steps", time.Second
	o.Progress = p.update
	t0 := time.Now()
	res, err := evaluate.AIS(ctx, c.Model, o)
	p.end(ctx)
	switch {
	case ctx.Err() != nil:
		return true
	case err != nil:
		ev.Warnings = append(ev.Warnings, fmt.Sprintf("AIS could not estimate log Z: %v", err))
		return false
	}
	nan := number(math.NaN())
	a := &aisFile{LogZ: number(res.LogZ), LogZStderr: number(res.Stderr), ESS: number(res.ESS),
		LogLik: nan, LogLikStderr: nan, NLLPerDim: nan, BPD: nan, BPDRange: nan,
		Chains: o.Chains, Steps: o.Steps, Schedule: s.AISSchedule, Base: s.AISBase, Kernel: s.AISKernel,
		LogZBase: number(res.LogZBase), Acceptance: number(res.MeanAccept), PilotAccept: number(res.PilotAccept),
		Divergences: res.Divergences, LogWeights: numbers(res.LogWeights)}
	if s.AISKernel == evaluate.KernelHMC {
		a.Leapfrog = s.AISLeapfrog
	}
	for t := range 10 {
		lo, hi := t*len(res.Accept)/10, (t+1)*len(res.Accept)/10
		m := math.NaN()
		if hi > lo {
			m = 0
			for _, v := range res.Accept[lo:hi] {
				m += v / float64(hi-lo)
			}
		}
		a.AcceptByTenth = append(a.AcceptByTenth, number(m))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range res.StepSizes {
		lo, hi = min(lo, v), max(hi, v)
	}
	a.StepSizeRange = []number{number(lo), number(hi)}
	nll, se, err := evaluate.NLL(c.Model, r.eval, res.LogZ)
	if err != nil {
		ev.Warnings = append(ev.Warnings, fmt.Sprintf("the AIS log-likelihood could not be computed: %v", err))
	} else {
		a.LogLik, a.LogLikStderr = number(-nll), number(math.Hypot(se, res.Stderr))
		a.NLLPerDim = number(nll / float64(r.dim))
		if r.imageShape() != nil {
			// 256 grey levels over the values' range [lo, hi]: a bin of
			// width Δ = (hi − lo)/256 has probability ≈ p(x)·Δ per value.
			width := r.valueRange()
			a.BPDLevels, a.BPDRange = 256, number(width)
			a.BPD = number((nll/float64(r.dim) - math.Log(width/256)) / math.Ln2)
		}
	}
	if res.ESS < 0.1*float64(o.Chains) {
		w := fmt.Sprintf("AIS: the importance weights' effective sample size is %.1f of %d chains: a few runs dominate, so log Z is likely underestimated (the log-likelihood overestimated) and its standard error unreliable; raise [eval] ais_steps", res.ESS, o.Chains)
		ev.Warnings = append(ev.Warnings, w)
		fmt.Fprintln(e.stderr, "ebmrun: warning: "+w)
	}
	a.Seconds = number(time.Since(t0).Seconds())
	ev.AIS = a
	return false
}

// valueRange is hi − lo of the data's values: 1 when they lie in [0, 1]
// (as the image outputs map pixels), else max − min.
func (r *trainRun) valueRange() float64 {
	lo, hi := slices.Min(r.dataLo), slices.Max(r.dataHi)
	if lo >= 0 && hi <= 1 || !(hi > lo) {
		return 1
	}
	return hi - lo
}

// evaluateDenoise computes the denoising loss at [eval] denoise_sigmas on
// up to denoise_max evaluation rows and as many training rows, with one
// noise seed. It reports whether Ctrl-C cut it short.
func (r *trainRun) evaluateDenoise(ctx context.Context, ev *evalFile) bool {
	c, s := r.c, r.c.Eval
	t0 := time.Now()
	seed := train.SubSeed(c.Train.Seed, seedDenoise)
	held := r.eval[:min(len(r.eval), s.DenoiseMax*r.dim)]
	tr := r.train[:min(len(r.train), s.DenoiseMax*r.dim)]
	h, err := evaluate.DenoisingLoss(ctx, c.Model, held, s.DenoiseSigmas, seed, c.Sample.Workers)
	var t []evaluate.DenoiseResult
	if err == nil {
		t, err = evaluate.DenoisingLoss(ctx, c.Model, tr, s.DenoiseSigmas, seed, c.Sample.Workers)
	}
	switch {
	case ctx.Err() != nil:
		return true
	case err != nil:
		ev.Warnings = append(ev.Warnings, fmt.Sprintf("the denoising loss could not be computed: %v", err))
		return false
	}
	f := &denoiseFile{NHeldout: len(held) / r.dim, NTrain: len(tr) / r.dim}
	d := float64(r.dim)
	for k, v := range h {
		f.Levels = append(f.Levels, denoiseLevel{Sigma: number(v.Sigma), Loss: number(v.Loss), Stderr: number(v.Stderr),
			TrainLoss: number(t[k].Loss), TrainStderr: number(t[k].Stderr), PerDim: number(v.Loss / d), TrainPerDim: number(t[k].Loss / d),
			WeightedLoss: number(v.Sigma * v.Sigma * v.Loss)})
	}
	f.Seconds = number(time.Since(t0).Seconds())
	ev.Denoise = f
	return false
}

// evaluateNN finds the distance from up to nn_max model samples (the last
// draw of each chain, then earlier ones) and as many held-out rows to the
// nearest of up to nn_train_max training rows. It reports whether Ctrl-C
// cut it short.
func (r *trainRun) evaluateNN(ctx context.Context, ev *evalFile, res *samplers.Result) bool {
	c, s := r.c, r.c.Eval
	t0 := time.Now()
	ref := r.train[:min(len(r.train), s.NNTrainMax*r.dim)]
	var x []float64
	if res != nil {
		for t := res.Draws - 1; t >= 0 && len(x) < s.NNMax*r.dim; t-- {
			for ch := 0; ch < res.Chains && len(x) < s.NNMax*r.dim; ch++ {
				row := res.Samples[(ch*res.Draws+t)*r.dim : (ch*res.Draws+t+1)*r.dim]
				if finiteRow(row) {
					x = append(x, row...)
				}
			}
		}
	}
	f := &nnFile{NTrain: len(ref) / r.dim, Ratio: number(math.NaN())}
	if len(x) > 0 {
		d, err := evaluate.NearestDistances(ctx, x, ref, r.dim, c.Sample.Workers)
		if err != nil {
			return true
		}
		f.Samples, f.dist[0] = nnSummaryOf(d), d
	}
	if r.evalOn == "heldout" {
		held := r.eval[:min(len(r.eval), s.NNMax*r.dim)]
		d, err := evaluate.NearestDistances(ctx, held, ref, r.dim, c.Sample.Workers)
		if err != nil {
			return true
		}
		f.Heldout, f.dist[1] = nnSummaryOf(d), d
	} else {
		ev.Notes = append(ev.Notes, "nn: no held-out rows, so no held-out distances to compare the samples' with")
	}
	if f.Samples != nil && f.Heldout != nil {
		f.Ratio = f.Samples.Median / f.Heldout.Median
	}
	f.Seconds = number(time.Since(t0).Seconds())
	ev.NN = f
	return false
}

// nnSummaryOf summarises distances for eval.json.
func nnSummaryOf(d []float64) *nnSummary {
	s := evaluate.SummarizeDistances(d)
	return &nnSummary{N: s.N, Mean: number(s.Mean), Median: number(s.Median), Q10: number(s.Q10), Min: number(s.Min)}
}

// writeEvalPlots writes the figures of the evaluation for any dimension:
// ais_weights (the spread of the AIS log weights) and nn_distances (the
// samples' and the held-out rows' nearest-neighbour distances), in format
// with extension ext, through write.
func (r *trainRun) writeEvalPlots(ev *evalFile, format plots.Format, ext string, write func(string, func(io.Writer) error)) {
	if a := ev.AIS; a != nil && len(a.LogWeights) > 0 {
		lw := make([]float64, len(a.LogWeights))
		for i, v := range a.LogWeights {
			lw[i] = float64(v)
		}
		title := fmt.Sprintf("AIS log weights: %d chains, %d steps, ESS %.1f", a.Chains, a.Steps, float64(a.ESS))
		write("ais_weights"+ext, func(w io.Writer) error {
			return plots.Histograms(w, format, title, "log w (log Z = log Z₀ + log mean w)", []plots.Series{{Label: "chains", Values: lw}})
		})
	}
	if f := ev.NN; f != nil && (f.dist[0] != nil || f.dist[1] != nil) {
		var ss []plots.Series
		if f.dist[0] != nil {
			ss = append(ss, plots.Series{Label: "model samples", Values: f.dist[0]})
		}
		if f.dist[1] != nil {
			ss = append(ss, plots.Series{Label: "held-out rows", Values: f.dist[1]})
		}
		title := fmt.Sprintf("distance to the nearest of %d training rows", f.NTrain)
		write("nn_distances"+ext, func(w io.Writer) error { return plots.Histograms(w, format, title, "L2 distance", ss) })
	}
}

// reportEval prints the evaluation for any dimension on w.
func (r *trainRun) reportEval(w io.Writer, ev *evalFile) {
	if a := ev.AIS; a != nil {
		bpd := ""
		if !math.IsNaN(float64(a.BPD)) {
			bpd = fmt.Sprintf(", %s bits/dim", fmtNum(a.BPD))
		}
		fmt.Fprintf(w, "  AIS log Z %s ± %s (ESS %.1f of %d, acceptance %.2f): log-likelihood %s ± %s nats%s\n",
			fmtNum(a.LogZ), fmtNum(a.LogZStderr), float64(a.ESS), a.Chains, float64(a.Acceptance), fmtNum(a.LogLik), fmtNum(a.LogLikStderr), bpd)
	}
	if f := ev.Denoise; f != nil {
		for _, l := range f.Levels {
			fmt.Fprintf(w, "  denoising loss at σ = %s: %s ± %s (training rows %s)\n", fmtNum(l.Sigma), fmtNum(l.Loss), fmtNum(l.Stderr), fmtNum(l.TrainLoss))
		}
	}
	if f := ev.NN; f != nil {
		med := func(s *nnSummary) string {
			if s == nil {
				return "-"
			}
			return fmtNum(s.Median)
		}
		fmt.Fprintf(w, "  median distance to the nearest training row: samples %s, held-out rows %s\n", med(f.Samples), med(f.Heldout))
	}
	if ev.Quality != nil {
		what := "samples"
		if ev.QualityDenoised != nil {
			what = "samples before the Tweedie step"
		}
		reportQuality(w, ev.Quality, what)
	}
	if ev.QualityDenoised != nil {
		reportQuality(w, ev.QualityDenoised, "denoised samples")
	}
}
