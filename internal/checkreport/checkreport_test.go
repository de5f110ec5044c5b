package checkreport

import (
	"encoding/json"
	"testing"
)

func TestListCountsFindsAndMarshals(t *testing.T) {
	l := List{{ID: "a", Status: Pass}, {ID: "b", Status: Fail}, {ID: "c", Status: Fail}, {ID: "d", Status: Skip}}
	if l.Count(Fail) != 2 || l.Count(Pass) != 1 || l.Count(Warn) != 0 {
		t.Errorf("counts: pass %d fail %d warn %d", l.Count(Pass), l.Count(Fail), l.Count(Warn))
	}
	if c, ok := l.Find("c"); !ok || c.Status != Fail {
		t.Errorf("Find(c) = %+v, %v", c, ok)
	}
	if _, ok := l.Find("z"); ok {
		t.Error("Find(z) found a check that did not run")
	}
	b, err := json.Marshal(List(nil).JSON())
	if err != nil || string(b) != "[]" {
		t.Errorf("an empty list marshals as %s (%v), want []", b, err)
	}
	for s, want := range map[Status]string{Pass: "✔", Fail: "✘", Warn: "⚠", Skip: "-"} {
		if got := s.Symbol(); got != want {
			t.Errorf("%s.Symbol() = %q, want %q", s, got, want)
		}
	}
}
