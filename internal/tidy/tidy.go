// Package tidy brings the host's go.mod in line with the generated code:
// `go get` for the pinned modules the blueprints were tested against, then
// `go mod tidy`. It runs the go command found on PATH, in the host folder.
package tidy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Options say where and how to run.
type Options struct {
	// Dir is the host root (the folder holding go.mod).
	Dir string
	// Go is the go command; empty means "go" from PATH.
	Go string
	// Out receives progress lines.
	Out io.Writer
	// Spinner animates the current step on one line; use it only when Out is
	// a terminal.
	Spinner bool
	// Width is the terminal's width in columns; the spinner line is cut to
	// fit it, since a line that wraps cannot be redrawn in place and repeats
	// on every frame. Zero means unknown (nothing is cut).
	Width int
}

// Error is a failed go command, with everything it printed.
type Error struct {
	Args   []string
	Output string
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %v\n%s", strings.Join(e.Args, " "), e.Err, strings.TrimRight(e.Output, "\n"))
}

func (e *Error) Unwrap() error { return e.Err }

// Steps returns the go commands Run executes for deps, in order.
func Steps(deps []string) [][]string {
	var steps [][]string
	if len(deps) > 0 {
		steps = append(steps, append([]string{"go", "get"}, deps...))
	}
	return append(steps, []string{"go", "mod", "tidy"})
}

// Run executes Steps(deps) in o.Dir and stops at the first failure.
func Run(ctx context.Context, o Options, deps []string) error {
	for _, step := range Steps(deps) {
		if err := run(ctx, o, step); err != nil {
			return err
		}
	}
	return nil
}

func run(ctx context.Context, o Options, args []string) error {
	bin := o.Go
	if bin == "" {
		bin = "go"
	}
	label := strings.Join(args, " ")
	stop := progress(o, label)
	cmd := exec.CommandContext(ctx, bin, args[1:]...)
	cmd.Dir = o.Dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	stop(err == nil)
	if err != nil {
		return &Error{Args: args, Output: out.String(), Err: err}
	}
	return nil
}

var frames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// progress announces a step and returns the function that reports its end.
// Without a spinner it prints plain lines, which read well in CI logs.
func progress(o Options, label string) func(ok bool) {
	if o.Out == nil {
		return func(bool) {}
	}
	if !o.Spinner {
		fmt.Fprintf(o.Out, "running %s\n", label)
		return func(ok bool) {
			if !ok {
				fmt.Fprintf(o.Out, "failed: %s\n", label)
			}
		}
	}
	// The frame and a space come first; the last column stays empty too, as
	// some terminals wrap as soon as it is written.
	line := label
	if o.Width > 0 {
		line = truncate(label, max(o.Width-3, 1))
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			fmt.Fprintf(o.Out, "\r%s %s", frames[i%len(frames)], line)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func(ok bool) {
		close(done)
		wg.Wait()
		mark := "✓"
		if !ok {
			mark = "✗"
		}
		// \x1b[K clears what is left of the spinner line. This line is
		// written once, so it may wrap: it shows the whole command.
		fmt.Fprintf(o.Out, "\r%s %s\x1b[K\n", mark, label)
	}
}

// truncate shortens s to at most width runes, ending it with "…" when
// something was cut. A width below one leaves s as it is.
func truncate(s string, width int) string {
	if width < 1 || utf8.RuneCountInString(s) <= width {
		return s
	}
	n := 0
	for i := range s {
		if n == width-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
