// Package checkreport is the shape of the reports of regstack's operator
// checks (`regstack validate`, `regstack ses setup`): named checks with an
// outcome, counted and printed the same way by each command.
package checkreport

import "time"

// Status is the outcome of one check.
type Status string

// The outcomes. A failure counts against the exit status; a warning is
// worth an operator's attention but does not fail the run; a skipped check
// says why it did not run.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Warn Status = "warn"
	Skip Status = "skip"
)

// Symbol is the mark a human-readable line starts with.
func (s Status) Symbol() string {
	switch s {
	case Pass:
		return "✔"
	case Fail:
		return "✘"
	case Warn:
		return "⚠"
	}
	return "-"
}

// Check is the result of one named check. ID is stable across versions so
// that scripts can match on it; Detail is for people and Fix says what to
// do when the check did not pass. Neither ever holds a secret.
type Check struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
	// Duration is how long the check took, for the text report.
	Duration time.Duration `json:"-"`
}

// List is the checks of one run, in the order they ran.
type List []Check

// Count returns how many checks ended with status s.
func (l List) Count(s Status) int {
	n := 0
	for _, c := range l {
		if c.Status == s {
			n++
		}
	}
	return n
}

// Find returns the check with the given id, if it ran.
func (l List) Find(id string) (Check, bool) {
	for _, c := range l {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// JSON is l for a JSON document: an empty list rather than null, for
// parsers that expect an array.
func (l List) JSON() List {
	if l == nil {
		return List{}
	}
	return l
}
