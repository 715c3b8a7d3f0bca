package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/goebm/ebm/registry"
)

// Exit codes of ebmrun.
const (
	exitOK          = 0
	exitFailure     = 1   // the run itself failed
	exitUsage       = 2   // bad command line, config or input file
	exitInterrupted = 130 // stopped by Ctrl-C (SIGINT); partial outputs written
	exitTerminated  = 143 // stopped by SIGTERM (schedulers, timeout); partial outputs written
)

// Main is the ebmrun command: it parses os.Args, runs the command and exits
// with its status (0 ok, 1 run failure, 2 usage, config or input error, 130
// interrupted by Ctrl-C, 143 by SIGTERM). Components registered by imported packages are available to
// configs, so a custom binary is a blank import plus a call to Main.
func Main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exitError carries an exit status with an error message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// failure marks err as a failure of the run itself (exit 1), as opposed to
// bad input (exit 2, the default for errors).
func failure(err error) error { return &exitError{exitFailure, err} }

// errInterrupted is returned when Ctrl-C stopped a run after its partial
// outputs were written.
var errInterrupted = &exitError{exitInterrupted, errors.New("interrupted: wrote the draws completed so far, marked \"partial\": true")}

// env is what a command writes to.
type env struct {
	stdout, stderr io.Writer
	args           []string // the full command line, for the manifest
}

// command is one ebmrun subcommand.
type command struct {
	name  string
	args  string // synopsis after the name
	short string // one line for the command list
	long  string // paragraph for --help
	run   func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error
	flags func(fs *flag.FlagSet) // defines the flags, for --help
}

// lookupCommand returns the named command, or nil.
func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run is Main without the process: it returns the exit status. Ctrl-C
// (SIGINT) and SIGTERM cancel the context of the running command, with the
// signal as the cause: both stop a run the same way, and the exit status
// tells them apart (130, 143).
func run(args []string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case s := <-sigs:
			cancel(signalError{s})
		case <-done:
		}
	}()
	return runContext(ctx, args, stdout, stderr)
}

// signalError is the cause of a context cancelled by a signal.
type signalError struct{ sig os.Signal }

func (s signalError) Error() string { return "stopped by " + s.sig.String() }

// runContext is run with a caller-controlled context.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, args: append([]string{"ebmrun"}, args...)}
	warnSIMD(stderr)
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if name == "help" && len(args) > 1 {
			if c := lookupCommand(args[1]); c != nil {
				printCommandUsage(stdout, c)
				return exitOK
			}
			fmt.Fprintf(stderr, "ebmrun help: unknown command %q (see ebmrun --help)\n", args[1])
			return exitUsage
		}
		printUsage(stdout)
		return exitOK
	case "-version", "--version", "version":
		printVersion(stdout)
		return exitOK
	}
	c := lookupCommand(name)
	if c == nil {
		var names []string
		for _, c := range commands {
			names = append(names, c.name)
		}
		msg := fmt.Sprintf("ebmrun: unknown command %q", name)
		if s := registry.Nearest(name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		fmt.Fprintf(stderr, "%s; commands: %s (see ebmrun --help)\n", msg, strings.Join(names, ", "))
		return exitUsage
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if c.flags != nil {
		c.flags(fs)
	}
	pos, err := parseInterleaved(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		printCommandUsage(stdout, c)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "ebmrun %s: %s (see ebmrun %s --help)\n", c.name, oneLine(err.Error()), c.name)
		return exitUsage
	}
	err = c.run(ctx, e, fs, pos)
	if err == nil {
		return exitOK
	}
	code := exitUsage
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	var sig signalError
	if code == exitInterrupted && errors.As(context.Cause(ctx), &sig) && sig.sig == syscall.SIGTERM {
		code = exitTerminated
	}
	fmt.Fprintln(stderr, err.Error())
	return code
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("run CONFIG --out DIR" and "run --out DIR CONFIG"); after "--"
// everything is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "ebmrun samples and trains energy-based models from TOML files.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: ebmrun COMMAND [arguments] [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'ebmrun COMMAND --help' for a command's flags. Exit status: 0 ok, 1 run failure,")
	fmt.Fprintln(w, "2 usage, config or input error, 130 interrupted by Ctrl-C, 143 by SIGTERM (partial outputs written).")
	fmt.Fprintln(w, "'ebmrun --version' prints the version of ebm and Go.")
}

func printCommandUsage(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: ebmrun %s %s\n\n%s\n", c.name, c.args, c.long)
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	if c.flags != nil {
		c.flags(fs)
	}
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintln(w, "\nflags:")
		printFlags(w, fs)
	}
}

// positional checks the number of positional arguments.
func positional(c string, pos []string, min, max int, what string) error {
	if len(pos) < min || len(pos) > max {
		return fmt.Errorf("ebmrun %s: want %s, got %d argument(s) %q (see ebmrun %s --help)", c, what, len(pos), pos, c)
	}
	return nil
}

// setList is a repeatable --set flag; --seed and --workers append to it too.
type setList []string

func (s *setList) String() string     { return strings.Join(*s, " ") }
func (s *setList) Set(v string) error { *s = append(*s, v); return nil }

// overrideFlags defines --set, --seed and --workers, all collected as
// key=value overrides in the order given.
func overrideFlags(fs *flag.FlagSet, sets *setList) {
	fs.Var(sets, "set", "override a config value, e.g. --set run.chains=64 or --set sampler.step_size=0.1 (repeatable;\nwith [[sampler]], sampler.2.KEY sets [sampler #2])")
	fs.Func("seed", "random seed (overrides the config's seed)", func(v string) error {
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < 0 {
			return fmt.Errorf("want a non-negative integer, got %q", v)
		}
		*sets = append(*sets, "seed="+v)
		return nil
	})
	fs.Func("workers", "goroutines running the chains; 0 means one per CPU (results do not depend on it)", func(v string) error {
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return fmt.Errorf("want a non-negative integer, got %q", v)
		}
		*sets = append(*sets, "run.workers="+v)
		return nil
	})
}
