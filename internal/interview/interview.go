// Package interview asks the operator for the answers with a huh form: a
// full-screen form on a terminal, or huh's accessible mode (plain numbered
// prompts, one answer per line) when stdin is a pipe or a screen reader is
// in use.
package interview

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/regstack/regstack/internal/spec"
)

// ErrAborted is returned when the operator cancels the form (ctrl-c, esc).
var ErrAborted = errors.New("interview aborted; nothing written")

// Options configure one interview.
type Options struct {
	// Starter asks the questions only a fresh folder has (the module path);
	// leave it false in an existing module, whose go.mod already says.
	Starter bool
	// Skip holds the answers-file keys already answered (by flags); they
	// are not asked.
	Skip map[string]bool
	// Accessible selects line-by-line prompts instead of the full-screen
	// form; use it whenever In is not a terminal.
	Accessible bool
	// In and Out are the operator's terminal or pipe.
	In  io.Reader
	Out io.Writer
}

// Run asks every question of the answers table (spec.Questions) not
// skipped, in table order, starting from the values in a (the defaults),
// and stores the answers in a. Each text answer is checked with the same
// validation the spec applies, and a wrong one is asked again.
func Run(a *spec.Answers, o Options) error {
	// A question asked only when an earlier answer holds (spec.Question.When)
	// starts a new form, run once the answers before it are in: huh's
	// accessible mode asks every field of a form, hidden or not.
	var fields []huh.Field
	for _, q := range spec.Questions() {
		if o.Skip[q.Key] || (q.StarterOnly && !o.Starter) {
			continue
		}
		if q.When != "" {
			if err := runForm(fields, o); err != nil {
				return err
			}
			fields = nil
			if !q.Asked(a) {
				continue
			}
		}
		fields = append(fields, field(q, a, o.Accessible))
	}
	if err := runForm(fields, o); err != nil {
		return err
	}
	for _, q := range spec.Questions() {
		if q.Kind == spec.Text {
			*q.Text(a) = strings.TrimSpace(*q.Text(a))
		}
	}
	return nil
}

// field is the form field asking q, bound to its answer in a.
func field(q spec.Question, a *spec.Answers, accessible bool) huh.Field {
	switch q.Kind {
	case spec.Text:
		v := q.Text(a)
		return huh.NewInput().
			Key(q.Key).
			Title(q.Title).
			Description(q.Description).
			Value(v).
			Validate(validator(q.Validate, *v, accessible))
	case spec.Select:
		opts := make([]huh.Option[string], len(q.Options))
		for i, opt := range q.Options {
			opts[i] = huh.NewOption(opt.Value+" — "+opt.Description, opt.Value)
		}
		return huh.NewSelect[string]().
			Key(q.Key).
			Title(q.Title).
			Description(q.Description).
			Options(opts...).
			Value(q.Text(a))
	default:
		return huh.NewConfirm().Key(q.Key).Title(q.Title).Description(q.Description).Value(q.Bool(a))
	}
}

// runForm asks fields in one form; none is no form.
func runForm(fields []huh.Field, o Options) error {
	if len(fields) == 0 {
		return nil
	}
	form := huh.NewForm(huh.NewGroup(fields...))
	if o.Accessible {
		form = form.WithAccessible(true).WithInput(oneByteReader{o.In})
	} else if o.In != nil {
		form = form.WithInput(o.In)
	}
	if o.Out != nil {
		form = form.WithOutput(o.Out)
	}
	if err := form.Run(); err != nil {
		if errors.Is(err, huh.ErrUserAborted) {
			return ErrAborted
		}
		return fmt.Errorf("interview: %w", err)
	}
	return nil
}

// validator adapts a spec check to a huh input. In accessible mode an empty
// line means "keep the default" (huh substitutes it after validating), so
// it passes when the default itself is valid.
func validator(check func(string) error, def string, accessible bool) func(string) error {
	defOK := check(def) == nil
	return func(s string) error {
		s = strings.TrimSpace(s)
		if accessible && s == "" && defOK {
			return nil
		}
		return check(s)
	}
}

// oneByteReader hands out at most one byte per Read. huh v1.0.0's
// accessible mode wraps the input in a new bufio.Scanner for every prompt,
// and a scanner reading ahead would swallow the later answers of a pipe;
// with one byte per Read it never holds more than the current line.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}
