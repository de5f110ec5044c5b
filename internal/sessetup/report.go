// Package sessetup checks that an AWS account is ready to send a host's
// mail through Amazon SES (and, when the host sends SMS through SNS, its
// text messages): credentials, region, the sender identity and its DKIM,
// the sandbox, sending health and quota, and optionally a live message.
// `regstack ses setup` prints the report and writes the settings.
package sessetup

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/regstack/regstack/internal/checkreport"
)

// The shapes of the report are those of every operator check
// (package checkreport).
type (
	Status = checkreport.Status
	Check  = checkreport.Check
)

// The outcomes. A failure stops mail from being sent; a warning is worth
// fixing (deliverability, limits, a check AWS or the emulator could not
// answer) but does not count as failed; a skipped check could not run
// because an earlier one failed.
const (
	Pass = checkreport.Pass
	Fail = checkreport.Fail
	Warn = checkreport.Warn
	Skip = checkreport.Skip
)

// Report is the outcome of a run, in the order the checks ran.
type Report struct {
	// Region is the AWS region the checks ran against ("" when none was
	// found).
	Region string
	Checks checkreport.List
}

// Count returns how many checks ended with status s.
func (r *Report) Count(s Status) int { return r.Checks.Count(s) }

// Find returns the check with the given id, if it ran.
func (r *Report) Find(id string) (Check, bool) { return r.Checks.Find(id) }

func (r *Report) add(id string, s Status, detail, fix string) {
	r.Checks = append(r.Checks, Check{ID: id, Status: s, Detail: detail, Fix: fix})
}

// WriteText writes one line per check, its fix indented below it, and a
// summary line.
func (r *Report) WriteText(w io.Writer) error {
	for _, c := range r.Checks {
		detail := c.Detail
		if c.Status == Skip {
			detail = "skipped: " + detail
		}
		if _, err := fmt.Fprintf(w, "%s %s — %s\n", c.Status.Symbol(), c.ID, detail); err != nil {
			return err
		}
		if c.Fix != "" && c.Status != Pass {
			if _, err := fmt.Fprintf(w, "    fix: %s\n", c.Fix); err != nil {
				return err
			}
		}
	}
	_, err := fmt.Fprintf(w, "%d passed, %d failed, %d warnings, %d skipped\n",
		r.Count(Pass), r.Count(Fail), r.Count(Warn), r.Count(Skip))
	return err
}

// Summary is the report with its counts, the JSON shape CI jobs parse.
type Summary struct {
	Region   string           `json:"region"`
	Checks   checkreport.List `json:"checks"`
	Passed   int              `json:"passed"`
	Failed   int              `json:"failed"`
	Warnings int              `json:"warnings"`
	Skipped  int              `json:"skipped"`
}

// Summary returns the report with its counts, so a CI job need not count.
func (r *Report) Summary() Summary {
	return Summary{r.Region, r.Checks.JSON(), r.Count(Pass), r.Count(Fail), r.Count(Warn), r.Count(Skip)}
}

// MarshalJSON writes the Summary.
func (r Report) MarshalJSON() ([]byte, error) { return json.Marshal(r.Summary()) }
