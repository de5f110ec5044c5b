package validate

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Status is the outcome of one check.
type Status string

// The outcomes. A warning is worth an operator's attention but does not
// make the deployment fail the probe; a skipped check says why it did not
// run.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Warn Status = "warn"
	Skip Status = "skip"
)

// Check is the result of one named check. ID is stable across versions so
// that CI jobs can match on it; Detail is for people and never holds a
// token or a password.
type Check struct {
	ID       string        `json:"id"`
	Status   Status        `json:"status"`
	Detail   string        `json:"detail"`
	Duration time.Duration `json:"-"`
}

// Report is the outcome of one probe, in the order the checks ran.
type Report struct {
	URL    string  `json:"url"`
	Checks []Check `json:"checks"`
}

// Count returns how many checks ended with status s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == s {
			n++
		}
	}
	return n
}

// Find returns the check with the given id, if it ran.
func (r *Report) Find(id string) (Check, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// WriteJSON writes the report as one JSON object: url, checks, passed and
// failed, the shape CI jobs parse.
func (r *Report) WriteJSON(w io.Writer) error {
	checks := r.Checks
	if checks == nil {
		checks = []Check{} // an empty list, not null, for parsers that expect an array
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		URL    string  `json:"url"`
		Checks []Check `json:"checks"`
		Passed int     `json:"passed"`
		Failed int     `json:"failed"`
	}{r.URL, checks, r.Count(Pass), r.Count(Fail)})
}

// symbols are the marks of the human-readable lines, the same ones
// `regstack doctor` prints.
var symbols = map[Status]string{Pass: "✔", Fail: "✘", Warn: "⚠", Skip: "-"}

// WriteText writes one line per check with how long it took, then a
// summary line.
func (r *Report) WriteText(w io.Writer) error {
	for _, c := range r.Checks {
		detail := c.Detail
		if c.Status == Skip {
			detail = "skipped: " + detail
		}
		line := fmt.Sprintf("%s %s — %s", symbols[c.Status], c.ID, detail)
		if c.Status != Skip {
			line += fmt.Sprintf(" (%s)", formatDuration(c.Duration))
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%s: %d passed, %d failed, %d warnings, %d skipped\n",
		r.URL, r.Count(Pass), r.Count(Fail), r.Count(Warn), r.Count(Skip))
	return err
}

// formatDuration keeps durations short: milliseconds below ten seconds,
// tenths of a second above.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1ms"
	case d < 10*time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
