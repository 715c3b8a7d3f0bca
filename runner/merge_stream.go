package runner

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/samplers"
)

// Streaming merge. A sampler's samples.npy is (chains, draws, point…) in
// C order, point… being (dim) or an image's (c, h, w), and shard i holds
// a contiguous block of chains, so the merged file is the header followed
// by each shard's values in shard order:
// mergeSampler copies them one shard at a time. The per-draw statistics,
// (chains, draws) arrays, go the same way into a scratch file of raw
// values. Both are then mapped read-only (mapFloats) as the Result's
// Samples and Stats, from which writeOutputs computes the diagnostics and
// the plots and writes sample_stats.npz, with the code of a single run:
// the outputs stay byte for byte those of one run, and the Go heap holds
// one shard's samples.npy or sample_stats.npz at a time (plus the
// diagnostics' scratch space, about 16 bytes a draw of one dimension).

// mergeProbe, when set (tests), is called where merge holds the most:
// with one shard's values in memory, and after the outputs are written.
var mergeProbe func()

func probe() {
	if mergeProbe != nil {
		mergeProbe()
	}
}

// mergeSampler streams sampler k of every shard, in chain order, into
// dir/samples.npy (dir is the sampler's output directory, already
// created), and the shards' per-draw statistics into a scratch file
// beside it; it returns the merged result, whose Samples and Stats map
// those files, and a release function to call once the outputs are
// written. It reads the adaptation and sums the shards' counters.
func mergeSampler(c *Config, shards []*shardDir, k int, dir string) (*samplers.Result, func(), error) {
	chains, draws, dim := c.Run.Chains, c.Run.Draws, c.Energy.Dim()
	res := &samplers.Result{Chains: chains, Draws: draws, Dim: dim}
	var undo []func()
	release := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
		undo = nil
	}
	stats, err := newStatsScratch(dir, chains*draws)
	if err != nil {
		return nil, nil, failure(fmt.Errorf("merge: %v", err))
	}
	undo = append(undo, stats.close)

	// shardErr is a bad shard (the caller's mistake); a failed write of
	// samples.npy is returned by WriteFile.
	var shardErr error
	path := filepath.Join(dir, "samples.npy")
	pt := &pointShape{}
	werr := fileio.WriteFile(path, func(w io.Writer) error {
		for _, s := range shards {
			if shardErr = mergeShard(c, s, k, res, w, stats, pt); shardErr != nil {
				return shardErr
			}
		}
		return nil
	})
	if shardErr != nil {
		release()
		return nil, nil, shardErr
	}
	if werr != nil {
		release()
		return nil, nil, failure(fmt.Errorf("merge: %v", werr))
	}

	off := int64(len(fileio.NPYHeader(append([]int{chains, draws}, pt.shape...)...)))
	data, unmap, err := mapFloats(path, off, chains*draws*dim)
	if err != nil {
		release()
		return nil, nil, failure(fmt.Errorf("merge: %v", err))
	}
	res.Samples = data
	undo = append(undo, unmap)
	if res.Stats, err = stats.mapped(&undo); err != nil {
		release()
		return nil, nil, failure(fmt.Errorf("merge: %v", err))
	}
	return res, release, nil
}

// pointShape is the shape of one point in a sampler's samples.npy, (dim)
// or an image's (c, h, w): the first shard's, which the merged file's
// header takes and every other shard must have.
type pointShape struct {
	shape []int
	from  string // the samples.npy it was read from
}

// check accepts the shape of the shard's samples.npy at path, (n, draws,
// point…) with point… of dim values, the first time writing the merged
// header (chains, draws, point…) to w; later shards must have the same
// point shape.
func (p *pointShape) check(w io.Writer, path string, shape []int, n, chains, draws, dim int) error {
	prod := 1
	for _, v := range shape[min(2, len(shape)):] {
		prod *= v
	}
	if len(shape) < 3 || shape[0] != n || shape[1] != draws || prod != dim {
		return fmt.Errorf("merge: %s has shape %v, want (%d, %d, …) with a point of %d values: (chains, draws, dim) or (chains, draws, c, h, w)", path, shape, n, draws, dim)
	}
	point := shape[2:]
	if p.from == "" {
		p.shape, p.from = slices.Clone(point), path
		_, err := w.Write(fileio.NPYHeader(append([]int{chains, draws}, point...)...))
		if err != nil {
			return failure(err)
		}
		return nil
	}
	if !slices.Equal(point, p.shape) {
		return fmt.Errorf("merge: %s holds points of shape %v but %s of shape %v: every shard's samples.npy must have the same point shape", path, point, p.from, p.shape)
	}
	return nil
}

// mergeShard copies sampler k's draws of shard s to w (after the merged
// header, which the first shard's point shape fixes), its per-draw
// statistics into stats, its adaptation into res, and adds its counters.
func mergeShard(c *Config, s *shardDir, k int, res *samplers.Result, w io.Writer, stats *statsScratch, pt *pointShape) error {
	sr := s.man.Shard.Runs[k]
	if sr.Sampler != c.Samplers[k].Type {
		return fmt.Errorf("merge: %s: sampler %d is %s, the config's is %s", s.dir, k+1, sr.Sampler, c.Samplers[k].Type)
	}
	first, n := s.man.Shard.First, s.man.Shard.Chains
	path := filepath.Join(s.dir, filepath.FromSlash(sr.Samples))
	data, shape, err := readNPYFile(path)
	if err != nil {
		return fmt.Errorf("merge: %v", err)
	}
	if err := pt.check(w, path, shape, n, res.Chains, res.Draws, res.Dim); err != nil {
		return err
	}
	if err := fileio.WriteFloat64s(w, data); err != nil {
		return failure(err)
	}
	probe()
	runtime.KeepAlive(data) // measured while held

	// Per-draw statistics and adaptation sit beside samples.npy; a shard
	// holds them for its own chains.
	base := filepath.Dir(path)
	if err := stats.add(filepath.Join(base, "sample_stats.npz"), first, n, res.Draws); err != nil {
		return fmt.Errorf("merge: %v", err)
	}
	if err := mergeAdaptation(res, filepath.Join(base, "adaptation.json"), first, n); err != nil {
		return fmt.Errorf("merge: %v", err)
	}
	res.Warmup.Add(sr.Warmup)
	res.Sampling.Add(sr.Sampling)
	if sr.Swaps != nil {
		if res.Swaps == nil {
			res.Swaps = &samplers.Swaps{}
		}
		res.Swaps.Warmup.Add(sr.Swaps.Warmup)
		res.Swaps.Sampling.Add(sr.Swaps.Sampling)
	}
	res.Wall = max(res.Wall, time.Duration(sr.WallSeconds*float64(time.Second)))
	return nil
}

// statsScratch holds the merged per-draw statistics of one sampler on
// disk: array i of the names (in the order first met) is values
// [i*size, (i+1)*size) of a scratch file, in (chains, draws) order. A
// value no shard wrote reads as 0, as in a zero-filled array.
type statsScratch struct {
	f     *os.File
	size  int // chains × draws
	names []string
	buf   []byte
}

// newStatsScratch creates the scratch file in dir, named as WriteFile
// names its temporary files, so that a killed merge's is removed by the
// next run in dir (lockOutDir).
func newStatsScratch(dir string, size int) (*statsScratch, error) {
	f, err := os.CreateTemp(dir, ".sample_stats.npz.tmp*")
	if err != nil {
		return nil, fmt.Errorf("cannot create a scratch file in %s: %v", dir, unwrapPath(err))
	}
	return &statsScratch{f: f, size: size}, nil
}

// close removes the scratch file (a mapping of it stays valid).
func (s *statsScratch) close() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f = nil
	}
}

// add copies the arrays of the shard's sample_stats.npz at path (when it
// has one), each of shape (n, draws), to chains [first, first+n).
func (s *statsScratch) add(path string, first, n, draws int) error {
	arrays, err := fileio.ReadNPZFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %v", path, err)
	}
	if s.names == nil {
		s.names = []string{} // the shard has a sample_stats.npz, even without arrays
	}
	for _, a := range arrays {
		if !slices.Equal(a.Shape, []int{n, draws}) {
			return fmt.Errorf("%s: %s has shape %v, want %v (chains, draws)", path, a.Name, a.Shape, []int{n, draws})
		}
		slot := slices.Index(s.names, a.Name)
		if slot < 0 {
			slot = len(s.names)
			s.names = append(s.names, a.Name)
		}
		at := int64(slot*s.size+first*draws) * 8
		for v := a.Data; len(v) > 0; {
			m := min(len(v), 4096)
			s.buf = s.buf[:0]
			for _, x := range v[:m] {
				s.buf = binary.LittleEndian.AppendUint64(s.buf, math.Float64bits(x))
			}
			if _, err := s.f.WriteAt(s.buf, at); err != nil {
				return fmt.Errorf("cannot write the scratch file %s: %v", s.f.Name(), unwrapPath(err))
			}
			at += int64(8 * m)
			v = v[m:]
		}
	}
	probe()
	runtime.KeepAlive(arrays) // measured while held
	return nil
}

// mapped maps the scratch file and returns the statistics by name (nil
// when no shard had any), adding the unmapping to undo.
func (s *statsScratch) mapped(undo *[]func()) (map[string][]float64, error) {
	if s.names == nil {
		return nil, nil
	}
	all := len(s.names) * s.size
	// Arrays that the last shards lack end in a hole: give the file its size.
	if err := s.f.Truncate(int64(8 * all)); err != nil {
		return nil, fmt.Errorf("cannot write the scratch file %s: %v", s.f.Name(), unwrapPath(err))
	}
	data, unmap, err := mapFloats(s.f.Name(), 0, all)
	if err != nil {
		return nil, err
	}
	*undo = append(*undo, unmap)
	m := make(map[string][]float64, len(s.names))
	for i, name := range s.names {
		m[name] = data[i*s.size : (i+1)*s.size : (i+1)*s.size]
	}
	return m, nil
}

// readFloats reads n little-endian float64 values of the file at path
// from byte off into memory (where mapFloats cannot map them).
func readFloats(path string, off int64, n int) ([]float64, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	r := bufio.NewReaderSize(io.NewSectionReader(f, off, 8*int64(n)), 1<<16)
	data := make([]float64, n)
	var b [8]byte
	for i := range data {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, nil, fmt.Errorf("%s: shorter than the %d values written", path, n)
		}
		data[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	}
	return data, func() {}, nil
}

// littleEndian reports whether this machine stores numbers as .npy files
// do, so that a file's values can be mapped as they are.
func littleEndian() bool {
	return binary.NativeEndian.Uint16([]byte{1, 0}) == 1
}
