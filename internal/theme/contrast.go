package theme

import (
	"math"
)

// AA is the WCAG 2.2 level AA minimum contrast for normal-size text
// (success criterion 1.4.3).
const AA = 4.5

// Pair is a foreground drawn on a background somewhere in the pages. Over
// is what shows through when Background is translucent (the tints are
// rgba colours laid over the card).
type Pair struct {
	Label      string `json:"label"`
	Foreground string `json:"fg"`
	Background string `json:"bg"`
	Over       string `json:"over,omitempty"`
}

// Pairs returns the text/background combinations core.css draws, the ones
// whose contrast the designer reports.
func Pairs() []Pair {
	return []Pair{
		{Label: "Text on page", Foreground: "--rs-fg", Background: "--rs-bg"},
		{Label: "Text on card", Foreground: "--rs-fg", Background: "--rs-surface"},
		{Label: "Muted text on card", Foreground: "--rs-fg-muted", Background: "--rs-surface"},
		{Label: "Muted text on page", Foreground: "--rs-fg-muted", Background: "--rs-bg"},
		{Label: "Text on hover", Foreground: "--rs-fg", Background: "--rs-bg-hover"},
		{Label: "Link on card", Foreground: "--rs-accent", Background: "--rs-surface"},
		{Label: "Link on page", Foreground: "--rs-accent", Background: "--rs-bg"},
		{Label: "Primary button", Foreground: "--rs-accent-fg", Background: "--rs-accent"},
		{Label: "Danger button", Foreground: "--rs-danger-fg", Background: "--rs-danger"},
		{Label: "Field error", Foreground: "--rs-danger", Background: "--rs-surface"},
		{Label: "Notice message", Foreground: "--rs-fg", Background: "--rs-accent-bg", Over: "--rs-surface"},
		{Label: "Error message", Foreground: "--rs-fg", Background: "--rs-danger-bg", Over: "--rs-surface"},
	}
}

// Contrast is one pair's measured contrast in one scheme.
type Contrast struct {
	Pair
	Scheme Scheme `json:"scheme"`
	// Ratio is 1..21, rounded to two decimals; 0 when a colour could not
	// be read (then OK is false too).
	Ratio float64 `json:"ratio"`
	OK    bool    `json:"ok"`
}

// Check measures every pair of Pairs in both schemes of t.
func Check(t Theme) []Contrast {
	var out []Contrast
	for _, s := range []Scheme{Light, Dark} {
		vals := t.Effective(s)
		for _, p := range Pairs() {
			c := Contrast{Pair: p, Scheme: s}
			if r, ok := pairRatio(vals, p); ok {
				c.Ratio = math.Round(r*100) / 100
				c.OK = r >= AA
			}
			out = append(out, c)
		}
	}
	return out
}

func pairRatio(vals Values, p Pair) (float64, bool) {
	fg, ok1 := ParseColour(vals[p.Foreground])
	bg, ok2 := ParseColour(vals[p.Background])
	if !ok1 || !ok2 {
		return 0, false
	}
	// What shows through a translucent colour: the named backdrop, and
	// below everything white (the browser's canvas).
	base := RGBA{1, 1, 1, 1}
	if p.Over != "" {
		over, ok := ParseColour(vals[p.Over])
		if !ok {
			return 0, false
		}
		base = Blend(over, base)
	}
	bg = Blend(bg, base)
	return Ratio(Blend(fg, bg), bg), true
}

// Blend lays c over an opaque backdrop (source-over compositing) and
// returns the opaque result.
func Blend(c, backdrop RGBA) RGBA {
	mix := func(a, b float64) float64 { return a*c.A + b*(1-c.A) }
	return RGBA{mix(c.R, backdrop.R), mix(c.G, backdrop.G), mix(c.B, backdrop.B), 1}
}

// Luminance is the WCAG relative luminance of an opaque colour.
func Luminance(c RGBA) float64 {
	lin := func(v float64) float64 {
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// Ratio is the WCAG contrast ratio of two opaque colours, 1..21,
// whichever is lighter.
func Ratio(a, b RGBA) float64 {
	la, lb := Luminance(a), Luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}
