package validate

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/regstack/regstack/internal/checkreport"
)

// The shapes of the report are those of every operator check
// (package checkreport).
type (
	Status = checkreport.Status
	Check  = checkreport.Check
)

// The outcomes. A warning is worth an operator's attention but does not
// make the deployment fail the probe; a skipped check says why it did not
// run.
const (
	Pass = checkreport.Pass
	Fail = checkreport.Fail
	Warn = checkreport.Warn
	Skip = checkreport.Skip
)

// Report is the outcome of one probe, in the order the checks ran.
type Report struct {
	URL    string
	Checks checkreport.List
}

// Count returns how many checks ended with status s.
func (r *Report) Count(s Status) int { return r.Checks.Count(s) }

// Find returns the check with the given id, if it ran.
func (r *Report) Find(id string) (Check, bool) { return r.Checks.Find(id) }

// WriteJSON writes the report as one JSON object: url, checks, passed and
// failed, the shape CI jobs parse.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		URL    string           `json:"url"`
		Checks checkreport.List `json:"checks"`
		Passed int              `json:"passed"`
		Failed int              `json:"failed"`
	}{r.URL, r.Checks.JSON(), r.Count(Pass), r.Count(Fail)})
}

// WriteText writes one line per check with how long it took, then a
// summary line.
func (r *Report) WriteText(w io.Writer) error {
	for _, c := range r.Checks {
		detail := c.Detail
		if c.Status == Skip {
			detail = "skipped: " + detail
		}
		line := fmt.Sprintf("%s %s — %s", c.Status.Symbol(), c.ID, detail)
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
