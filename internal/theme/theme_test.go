package theme

import (
	"math"
	"strings"
	"testing"

	"github.com/regstack/regstack/blueprints"
)

func TestContrastKnownPairs(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"#000", "#fff", 21},
		{"#000000", "#ffffff", 21},
		{"#fff", "#fff", 1},
		{"#777777", "#ffffff", 4.48}, // the classic just-below-AA grey
		{"#767676", "#ffffff", 4.54}, // the lightest grey that passes on white
		{"#2563eb", "#ffffff", 5.17},
		{"#111827", "#ffffff", 17.74},
		{"rgb(0, 0, 0)", "hsl(0, 0%, 100%)", 21},
		{"rgb(0 0 0)", "#ffff", 21},
	} {
		a, ok1 := ParseColour(tc.a)
		b, ok2 := ParseColour(tc.b)
		if !ok1 || !ok2 {
			t.Fatalf("parse %s / %s failed", tc.a, tc.b)
		}
		got := math.Round(Ratio(a, b)*100) / 100
		if got != tc.want {
			t.Errorf("Ratio(%s, %s) = %.2f, want %.2f", tc.a, tc.b, got, tc.want)
		}
		if rev := math.Round(Ratio(b, a)*100) / 100; rev != got {
			t.Errorf("Ratio is not symmetric: %.2f vs %.2f", rev, got)
		}
	}
}

func TestBlendTranslucent(t *testing.T) {
	// Half-transparent black over white is mid grey (#808080 within rounding).
	c, _ := ParseColour("rgba(0, 0, 0, 0.5)")
	got := Blend(c, RGBA{1, 1, 1, 1}).Hex()
	if got != "#808080" {
		t.Errorf("blend = %s, want #808080", got)
	}
}

// The default theme meets AA in both schemes: the designer would otherwise
// greet every operator with warnings about gen's own choice.
func TestDefaultsMeetAA(t *testing.T) {
	for _, c := range Check(Defaults()) {
		if !c.OK {
			t.Errorf("%s %s (%s on %s): %.2f < %.1f", c.Scheme, c.Label, c.Foreground, c.Background, c.Ratio, AA)
		}
	}
}

func TestCheckFlagsLowContrast(t *testing.T) {
	th := Defaults()
	th.Light["--rs-accent"] = "#dddddd"
	var low []string
	for _, c := range Check(th) {
		if !c.OK {
			low = append(low, string(c.Scheme)+" "+c.Label)
		}
	}
	if strings.Join(low, ",") != "light Link on card,light Link on page,light Primary button" {
		t.Errorf("low contrast pairs = %v", low)
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ name, in, want, err string }{
		{"--rs-accent", "#0f766e", "#0f766e", ""},
		{"--rs-accent", " #ABC ", "#ABC", ""},
		{"--rs-accent", "#0f766e80", "#0f766e80", ""},
		{"--rs-accent-bg", "rgba(37, 99, 235, 0.08)", "rgba(37, 99, 235, 0.08)", ""},
		{"--rs-accent-bg", "rgb(37 99 235 / 8%)", "rgb(37 99 235 / 8%)", ""},
		{"--rs-accent", "hsl(200, 50%, 40%)", "hsl(200, 50%, 40%)", ""},
		{"--rs-accent", "blue", "", `--rs-accent: "blue" is not a colour`},
		{"--rs-accent", "#12345", "", "--rs-accent: "},
		{"--rs-accent", "rgb(300, 0, 0)", "", "--rs-accent: "},
		{"--rs-accent", "#fff; } body { display: none", "", "--rs-accent: "},
		{"--rs-accent", "", "", "--rs-accent: empty value"},
		{"--rs-radius", "8", "8px", ""},
		{"--rs-radius", "0.5rem", "0.5rem", ""},
		{"--rs-radius", "1.25em", "1.25em", ""},
		{"--rs-radius", "8 px", "", `--rs-radius: "8 px" is not a length`},
		{"--rs-radius", "-1px", "", "--rs-radius: "},
		{"--rs-radius", "10%", "", "--rs-radius: "},
		{"--rs-font-body", `"Inter", system-ui, sans-serif`, `"Inter", system-ui, sans-serif`, ""},
		{"--rs-font-body", `Inter; } body { color: red`, "", "--rs-font-body: not a valid font list"},
		{"--rs-font-body", `"Inter`, "", "unclosed quote"},
		{"--rs-font-body", `Inter /* x`, "", "comments"},
		{"--rs-font-body", `</style><script>`, "", "not allowed"},
		{"--rs-font-body", strings.Repeat("a", 201), "", "at most 200"},
		{"--rs-shadow", "0 1px 2px rgba(0, 0, 0, 0.4)", "0 1px 2px rgba(0, 0, 0, 0.4)", ""},
		{"--rs-shadow", "0 1px 2px rgba(0, 0, 0, 0.4", "", "unbalanced parentheses"},
		{"--rs-shadow", "0 0 0 url(x)", "", "url()"},
		{"--rs-nope", "#fff", "", "unknown variable --rs-nope"},
	} {
		got, err := Normalize(tc.name, tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Normalize(%s, %q) = %q, %v; want error containing %q", tc.name, tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Normalize(%s, %q) = %q, %v; want %q", tc.name, tc.in, got, err, tc.want)
		}
	}
}

func TestDefaultsValidate(t *testing.T) {
	for _, v := range Variables() {
		for _, val := range []string{v.Light, v.Dark} {
			if val == "" {
				continue
			}
			if got, err := Normalize(v.Name, val); err != nil || got != val {
				t.Errorf("default %s = %q: %q, %v", v.Name, val, got, err)
			}
		}
	}
}

func TestRenderFromNothingRoundTrips(t *testing.T) {
	d, err := Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	out := d.Render(Defaults())
	s := string(out)
	if !strings.Contains(s, ":root {\n  --rs-bg: #ffffff;\n") || !strings.Contains(s, "@media (prefers-color-scheme: dark) {\n  :root {\n    --rs-bg: #0b1220;\n") {
		t.Fatalf("layout:\n%s", s)
	}
	if strings.Index(s, ":root {") > strings.Index(s, "@media") {
		t.Error("dark block before light block")
	}
	d2, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	assertTheme(t, d2.Theme(), Defaults())
	if again := d2.Render(Defaults()); string(again) != s {
		t.Errorf("rendering the same theme again changed the file:\n%s", again)
	}
}

func assertTheme(t *testing.T, got, want Theme) {
	t.Helper()
	for _, s := range []Scheme{Light, Dark} {
		g, w := got.Light, want.Light
		if s == Dark {
			g, w = got.Dark, want.Dark
		}
		if len(g) != len(w) {
			t.Errorf("%s: %d values, want %d: %v", s, len(g), len(w), g)
		}
		for k, v := range w {
			if g[k] != v {
				t.Errorf("%s %s = %q, want %q", s, k, g[k], v)
			}
		}
	}
}

const handEdited = `/* My theme. { not a brace } */
@import url("fonts.css");

:root {
  --rs-bg: #ffffff; /* page */
  --rs-accent: #2563eb;
  --brand-extra: 3px;
  --rs-font-body: "Inter", sans-serif
}

.rs-card { border-width: 2px; }

@media (min-width: 800px) {
  :root { --rs-radius: 99px; }
}

@media (prefers-color-scheme:dark) {
  /* night */
  :root {
    --rs-bg: #000000;
    --rs-accent: #60a5fa;
  }
  .rs-card { border-color: red; }
}
`

func TestRenderKeepsHandEdits(t *testing.T) {
	d, err := Parse([]byte(handEdited))
	if err != nil {
		t.Fatal(err)
	}
	th := d.Theme()
	if th.Light["--rs-font-body"] != `"Inter", sans-serif` || th.Dark["--rs-bg"] != "#000000" || th.Light["--rs-radius"] != "" {
		t.Fatalf("read %+v", th)
	}
	th.Light["--rs-accent"] = "#0f766e"
	th.Light["--rs-fg"] = "#222222"
	th.Light["--rs-font-body"] = "system-ui"
	delete(th.Dark, "--rs-bg")
	th.Dark["--rs-danger"] = "#ff0000"
	out := string(d.Render(th))
	want := `/* My theme. { not a brace } */
@import url("fonts.css");

:root {
  --rs-bg: #ffffff; /* page */
  --rs-accent: #0f766e;
  --brand-extra: 3px;
  --rs-font-body: system-ui;
  --rs-fg: #222222;
}

.rs-card { border-width: 2px; }

@media (min-width: 800px) {
  :root { --rs-radius: 99px; }
}

@media (prefers-color-scheme:dark) {
  /* night */
  :root {
    --rs-accent: #60a5fa;
    --rs-danger: #ff0000;
  }
  .rs-card { border-color: red; }
}
`
	if out != want {
		t.Errorf("render:\n%s\nwant:\n%s", out, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{":root { --rs-bg: #fff;", "/* open", ":root { --rs-font-body: \"x; }\n}", "} :root {}"} {
		if _, err := Parse([]byte(src)); err == nil || !strings.Contains(err.Error(), "line ") {
			t.Errorf("Parse(%q) = %v, want an error naming the line", src, err)
		}
	}
}

func TestRenderAddsMissingBlocks(t *testing.T) {
	d, err := Parse([]byte(".x { color: red }"))
	if err != nil {
		t.Fatal(err)
	}
	th := Theme{Light: Values{"--rs-bg": "#fff"}, Dark: Values{"--rs-bg": "#000"}}
	got := string(d.Render(th))
	want := ".x { color: red }\n\n:root {\n  --rs-bg: #fff;\n}\n\n@media (prefers-color-scheme: dark) {\n  :root {\n    --rs-bg: #000;\n  }\n}\n"
	if got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

// TestRenderKeepsStringsWhole: a string in a :root block whose text looks
// like a comment opener is one token, so the ; a new declaration needs
// goes after it, not inside it (what FuzzParseRender found).
func TestRenderKeepsStringsWhole(t *testing.T) {
	d, err := Parse([]byte(":root { --x: '/*' }"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(d.Render(Theme{Light: Values{"--rs-bg": "#fff"}}))
	want := ":root { --x: '/*'; \n  --rs-bg: #fff;\n}"
	if got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

// The designer's defaults are the theme.css gen writes, and saving them
// into that file changes nothing.
func TestDefaultsMatchBlueprint(t *testing.T) {
	src, err := blueprints.FS.ReadFile("_common/pkg/pages/static/theme.css")
	if err != nil {
		t.Skipf("no theme.css blueprint: %v", err)
	}
	d, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	assertTheme(t, d.Theme(), Defaults())
	if out := d.Render(Defaults()); string(out) != string(src) {
		t.Errorf("rendering the defaults changed the blueprint's file:\n%s", out)
	}
}

// FuzzParseRender: any file the scanner accepts renders back byte for byte
// when nothing changes, and a changed value reads back from the output.
func FuzzParseRender(f *testing.F) {
	f.Add(handEdited)
	if src, err := blueprints.FS.ReadFile("_common/pkg/pages/static/theme.css"); err == nil {
		f.Add(string(src))
	}
	for _, s := range []string{"", ":root{--rs-bg:#fff}", "a{b:c}@media (prefers-color-scheme: dark){:root{--rs-fg:#000;}}", ":root { --rs-bg: #fff /* c */ ; --x: 'a;b' }", "@import 'x';:root{}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		d, err := Parse([]byte(src))
		if err != nil {
			return
		}
		if strings.TrimSpace(src) != "" {
			if out := d.Render(d.Theme()); string(out) != src {
				t.Fatalf("unchanged theme changed the file:\n%q\n%q", src, out)
			}
		}
		th := d.Theme()
		th.Light["--rs-accent"] = "#0f766e"
		th.Dark["--rs-fg"] = "#eeeeee"
		out := d.Render(th)
		d2, err := Parse(out)
		if err != nil {
			t.Fatalf("output does not parse: %v\n%q\n%q", err, src, out)
		}
		got := d2.Theme()
		if got.Light["--rs-accent"] != "#0f766e" || got.Dark["--rs-fg"] != "#eeeeee" {
			t.Fatalf("values lost: %+v\n%q\n%q", got, src, out)
		}
	})
}
