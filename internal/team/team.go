// Package team runs the units of a parallel job on the calling goroutine
// and on helper goroutines shared by every job of the process, which poll
// for work for a while before they block. The objectives (their shards of
// a batch, their negative chains) and autodiff (its split matrix products
// and element-wise passes) share one pool, so that a helper that has just
// finished one job's unit picks up the next job's without a wake-up. A
// job started while another runs on several goroutines (a shard's graph)
// gains nothing from helpers, so it runs on its caller alone.
package team

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Team runs the units of one parallel job at a time. Each goroutine
// claims the next unclaimed unit until none is left, so which goroutine
// runs which unit depends on scheduling: a unit must write only its own
// results. A Team is reused from one job to the next; its zero value with
// Do set is ready.
type Team struct {
	Do    func(i int)    // runs unit i; set once by the owner
	units int            // units of the current job
	next  atomic.Int32   // the first unit of the current job not yet claimed
	left  atomic.Int32   // helper requests of the current job not yet done, to poll
	wg    sync.WaitGroup // the same, to block on
}

// Run runs units 0…units−1 of t.Do on up to w goroutines, the caller's
// among them, and returns when all are done. Calls for one Team must not
// overlap; a unit may run other Teams' jobs.
func (t *Team) Run(units, w int) {
	t.units = units
	t.next.Store(0)
	w = min(w, units)
	if w > 1 && busy() { // another job's units hold the cores: this one runs on its caller
		w = 1
	}
	if w > 1 {
		ensureHelpers(w - 1)
		wide.Add(1)
		defer wide.Add(-1)
	}
	t.left.Store(int32(w - 1))
	t.wg.Add(w - 1)
	for h := 1; h < w; h++ {
		select {
		case helpers.ch <- t:
		default: // queue full: the caller does the work
			t.helped()
		}
	}
	t.work()
	for idle := false; !idle; { // run the requests that no helper has taken yet
		select {
		case o := <-helpers.ch:
			o.work()
			o.helped()
		default:
			idle = true
		}
	}
	for t0, i := time.Now(), 0; t.left.Load() != 0; i++ { // see helperSpin
		if i%16 == 15 && time.Since(t0) > helperSpin {
			break
		}
		runtime.Gosched()
	}
	t.wg.Wait()
}

// wide counts the jobs running on more than one goroutine.
var wide atomic.Int32

// busy reports whether a job is running on more than one goroutine: its
// units then hold the cores, and a job started inside one of them (a
// shard of chains whose energy splits its own work) or beside it gains
// nothing from helpers, only their hand-overs, so Run runs it on its
// caller alone.
func busy() bool { return wide.Load() > 0 }

// work runs units of the current job until none is left unclaimed.
func (t *Team) work() {
	for {
		i := int(t.next.Add(1)) - 1
		if i >= t.units {
			return
		}
		t.Do(i)
	}
}

// helped records that a helper request of t is done: the helper's last
// access to t, after which run may return and t be reused.
func (t *Team) helped() {
	t.left.Add(-1)
	t.wg.Done()
}

// helpers is the pool shared by every Team: goroutines started on demand
// (never more than GOMAXPROCS − 1 at once are asked for by one job) and
// never stopped, waiting on a queue of teams that want help. A helper runs
// units of that team until none is left. A job that finds its own request
// still queued runs it itself, so a busy pool never delays it by more
// than the work.
var helpers struct {
	mu      sync.Mutex
	started int
	ch      chan *Team
}

func init() { helpers.ch = make(chan *Team, 64) }

// helperSpin is how long a helper out of work polls the queue, and a job
// whose own units are done polls for its helpers, before blocking: a
// goroutine blocked in the runtime gives up its thread, and waking that
// thread again (for a helper, the next job's request; for the job, its
// last helper's end) cost about 0.15 ms of a 1.6 ms dsm step on a 2-core
// virtual machine (objectives' BenchmarkDSMStep), while the serial work
// between two training steps (the optimizer's update) takes about 0.1 ms
// there. Polling yields with runtime.Gosched, so any other goroutine of
// the process runs first; it only spends an otherwise idle core, for at
// most helperSpin per job (OpenMP runtimes, PyTorch's among them, spin
// the same way, for longer). Parallel work should therefore run on Teams
// rather than on goroutines of its own: a helper still polling would hold
// a core that a new goroutine waits for.
const helperSpin = 500 * time.Microsecond

// ensureHelpers starts helpers until at least n are running.
func ensureHelpers(n int) {
	helpers.mu.Lock()
	for helpers.started < n {
		helpers.started++
		go func() {
			for {
				t := nextRequest()
				t.work()
				t.helped()
			}
		}()
	}
	helpers.mu.Unlock()
}

// nextRequest returns the next team in the queue, polling for up to
// helperSpin before it blocks.
func nextRequest() *Team {
	t0 := time.Now()
	for i := 0; ; i++ {
		select {
		case t := <-helpers.ch:
			return t
		default:
		}
		if i%16 == 15 && time.Since(t0) > helperSpin {
			return <-helpers.ch
		}
		runtime.Gosched()
	}
}
