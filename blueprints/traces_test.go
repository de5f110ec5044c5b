package blueprints

import (
	"fmt"
	mathbits "math/bits"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/render"
	"github.com/regstack/regstack/internal/spec"
)

// featureTraces is one feature's section of testdata/traces.toml: what the
// feature puts into a host, and so what a host without it must not contain.
type featureTraces struct {
	Identifiers []string `toml:"identifiers"`
	Keys        []string `toml:"keys"`
	Routes      []string `toml:"routes"`
	Templates   []string `toml:"templates"`
	Strings     []string `toml:"strings"`
}

// text is a file's path or content as the tracers read it: as it is, and
// lowercased once (not once per trace) for the traces that ignore case.
type text struct{ s, lower string }

func newText(s string) text { return text{s, strings.ToLower(s)} }

// tracer finds one trace in a file's path or content.
type tracer struct {
	kind, trace string
	find        func(t text) bool
}

func (f featureTraces) tracers() []tracer {
	var ts []tracer
	for _, id := range f.Identifiers {
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(id) + `\b`)
		// The substring test first: most files hold most identifiers
		// nowhere, and it is much cheaper than the regexp.
		ts = append(ts, tracer{"identifier", id, func(t text) bool { return strings.Contains(t.s, id) && re.MatchString(t.s) }})
	}
	ignoringCase := func(kind string, list []string) {
		for _, s := range list {
			low := strings.ToLower(s)
			ts = append(ts, tracer{kind, s, func(t text) bool { return strings.Contains(t.lower, low) }})
		}
	}
	exact := func(kind string, list []string) {
		for _, s := range list {
			ts = append(ts, tracer{kind, s, func(t text) bool { return strings.Contains(t.s, s) }})
		}
	}
	ignoringCase("key", f.Keys)
	exact("route", f.Routes)
	exact("template", f.Templates)
	ignoringCase("string", f.Strings)
	return ts
}

// featureOn reads one feature of the answers by its catalog condition name.
var featureOn = map[string]func(spec.Features) bool{
	"password_reset":   func(f spec.Features) bool { return f.PasswordReset },
	"account_deletion": func(f spec.Features) bool { return f.AccountDeletion },
	"admin":            func(f spec.Features) bool { return f.Admin },
	"pages":            func(f spec.Features) bool { return f.Pages },
	"sms":              func(f spec.Features) bool { return f.SMS },
	"google":           func(f spec.Features) bool { return f.Google },
	// The hosts rendered below keep the default sender (console), so they
	// show that a host without SES has none of it.
	"email_backend:ses": func(f spec.Features) bool { return f.EmailBackend == "ses" },
}

// TestSwitchedOffFeaturesLeaveNoTrace renders every combination of the
// optional features on every backend, into a fresh folder and into an
// existing module, and requires that no file path or content of a host
// carries a trace (testdata/traces.toml) of a feature switched off: no
// identifier, configuration key, route, mail template or message.
func TestSwitchedOffFeaturesLeaveNoTrace(t *testing.T) {
	var traces map[string]featureTraces
	md, err := toml.DecodeFile("testdata/traces.toml", &traces)
	if err != nil {
		t.Fatal(err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		t.Fatalf("testdata/traces.toml: unknown keys %v", undec)
	}
	tracers := map[string][]tracer{}
	for name, f := range traces {
		if featureOn[name] == nil {
			t.Fatalf("testdata/traces.toml: [%s] is not an optional feature", name)
		}
		tracers[name] = f.tracers()
	}
	tree, err := blueprint.Load(FS, spec.Conditions())
	if err != nil {
		t.Fatal(err)
	}

	// found collects, per feature and trace, the files (by blueprint id)
	// that carry it, so one report names each leak once.
	type leak struct{ feature, kind, trace, template string }
	var (
		mu    sync.Mutex
		found = map[leak][]string{}
	)
	for _, backend := range spec.Backends() {
		for _, starter := range []bool{true, false} {
			for bits := range 64 {
				features := spec.Features{
					RequireVerification: bits&1 != 0,
					PasswordReset:       bits&2 != 0,
					AccountDeletion:     bits&4 != 0,
					Admin:               bits&8 != 0,
					Pages:               bits&16 != 0,
					SMS:                 bits&32 != 0,
					SMSBackend:          "twilio",
					// Google with an odd number of the others: each
					// other feature meets Google both on and off, and
					// every host without Google shows it leaves nothing,
					// without doubling the 64 combinations.
					Google: mathbits.OnesCount(uint(bits))%2 == 1,
				}
				name := fmt.Sprintf("%s/starter=%t/%+v", backend, starter, features)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					a := spec.Defaults()
					a.Backend = backend
					a.Features = features
					s, err := spec.New(a, starter, "v0.0.0-test")
					if err != nil {
						t.Fatal(err)
					}
					files, err := render.Render(s, tree)
					if err != nil {
						t.Fatal(err)
					}
					paths := make([]text, len(files))
					contents := make([]text, len(files))
					for i, f := range files {
						paths[i], contents[i] = newText(f.Path), newText(string(f.Data))
					}
					for feature, ts := range tracers {
						if featureOn[feature](features) {
							continue
						}
						for i, f := range files {
							for _, tr := range ts {
								if tr.find(paths[i]) || tr.find(contents[i]) {
									mu.Lock()
									k := leak{feature, tr.kind, tr.trace, f.Template}
									found[k] = append(found[k], name)
									mu.Unlock()
								}
							}
						}
					}
				})
			}
		}
	}
	t.Cleanup(func() {
		var lines []string
		for k, hosts := range found {
			lines = append(lines, fmt.Sprintf("%s off: %s %q in %s (%d hosts, e.g. %s)",
				k.feature, k.kind, k.trace, k.template, len(hosts), hosts[0]))
		}
		sort.Strings(lines)
		for _, l := range lines {
			t.Error(l)
		}
	})
}
