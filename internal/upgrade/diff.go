package upgrade

import (
	"io"

	"github.com/regstack/regstack/internal/merge"
	"github.com/regstack/regstack/internal/spec"
)

// Diff writes the unified diff of every host file the plan would change,
// in the form `git apply` accepts (a/ and b/ prefixes, /dev/null for files
// added or removed). The provenance under .regstack/ other than the
// answers is left out: it is machine-written.
func (p *Plan) Diff(w io.Writer) error {
	write := func(path string, old, new []byte, oldExists, newExists bool) error {
		from, to := "a/"+path, "b/"+path
		if !oldExists {
			from = "/dev/null"
		}
		if !newExists {
			to = "/dev/null"
		}
		d := merge.Unified(from, to, old, new)
		if d == nil {
			return nil
		}
		_, err := w.Write(d)
		return err
	}
	for _, c := range p.Changes {
		if !c.Writes() {
			continue
		}
		var err error
		if c.Action == Remove {
			err = write(c.Path, c.Old, nil, true, false)
		} else {
			err = write(c.Path, c.Old, c.New, c.Old != nil, true)
		}
		if err != nil {
			return err
		}
	}
	if p.AnswersChanged {
		return write(spec.AnswersFile, p.OldAnswersData, p.AnswersData, p.OldAnswersData != nil, true)
	}
	return nil
}
