// Package theme is `regstack theme design`: the table of the --rs-* custom
// properties a host's pages/static/theme.css defines, their validation, the
// WCAG contrast of the pairs the pages draw text with, a reader and writer
// for the theme file that keeps the operator's hand edits, and the local
// designer (an HTTP server on 127.0.0.1 with embedded assets) that previews
// the host's real page templates.
package theme

import "slices"

// Kind says what a variable holds, which decides its control in the
// designer and how a value is validated.
type Kind string

const (
	// KindColour is a CSS colour (#rgb, #rrggbb, rgb(), hsl(), ...).
	KindColour Kind = "colour"
	// KindLength is a corner radius: a number with px, rem or em.
	KindLength Kind = "length"
	// KindFont is a font-family list.
	KindFont Kind = "font"
	// KindShadow is a box-shadow list.
	KindShadow Kind = "shadow"
)

// Variable is one --rs-* custom property of theme.css.
type Variable struct {
	Name  string `json:"name"`
	Kind  Kind   `json:"kind"`
	Label string `json:"label"`
	// Light is the default in :root. Dark is the default under
	// prefers-color-scheme: dark, or "" when the dark scheme inherits the
	// light value (radius, fonts).
	Light string `json:"light"`
	Dark  string `json:"dark,omitempty"`
}

const systemFonts = `-apple-system, BlinkMacSystemFont, "Segoe UI", "Inter", sans-serif`

// Variables returns the one list of managed variables, in the order
// theme.css declares them; the writer, the designer's controls, the
// headless --var names and docs/theming.md all follow it. The defaults are
// those of the theme.css gen writes (a test compares them with the
// blueprint). A function rather than a package variable, so no caller can
// change the table for another.
func Variables() []Variable {
	return []Variable{
		{Name: "--rs-bg", Kind: KindColour, Label: "Page background", Light: "#ffffff", Dark: "#0b1220"},
		{Name: "--rs-bg-hover", Kind: KindColour, Label: "Hover background", Light: "#f3f4f6", Dark: "#14213a"},
		{Name: "--rs-surface", Kind: KindColour, Label: "Card surface", Light: "#ffffff", Dark: "#111a30"},
		{Name: "--rs-fg", Kind: KindColour, Label: "Text", Light: "#111827", Dark: "#e5e7eb"},
		{Name: "--rs-fg-muted", Kind: KindColour, Label: "Muted text", Light: "#4b5563", Dark: "#9ca3af"},
		{Name: "--rs-border", Kind: KindColour, Label: "Borders", Light: "#e5e7eb", Dark: "#1f2a44"},
		{Name: "--rs-accent", Kind: KindColour, Label: "Accent (buttons, links)", Light: "#2563eb", Dark: "#60a5fa"},
		{Name: "--rs-accent-fg", Kind: KindColour, Label: "Text on accent", Light: "#ffffff", Dark: "#0b1220"},
		{Name: "--rs-accent-bg", Kind: KindColour, Label: "Accent tint", Light: "rgba(37, 99, 235, 0.08)", Dark: "rgba(96, 165, 250, 0.12)"},
		{Name: "--rs-danger", Kind: KindColour, Label: "Danger", Light: "#b91c1c", Dark: "#f87171"},
		{Name: "--rs-danger-fg", Kind: KindColour, Label: "Text on danger", Light: "#ffffff", Dark: "#0b1220"},
		{Name: "--rs-danger-bg", Kind: KindColour, Label: "Danger tint", Light: "rgba(185, 28, 28, 0.08)", Dark: "rgba(248, 113, 113, 0.12)"},
		{Name: "--rs-radius", Kind: KindLength, Label: "Corner radius", Light: "6px"},
		{Name: "--rs-shadow", Kind: KindShadow, Label: "Card shadow", Light: "0 1px 2px rgba(0, 0, 0, 0.04), 0 4px 10px rgba(0, 0, 0, 0.04)", Dark: "0 1px 2px rgba(0, 0, 0, 0.4), 0 4px 14px rgba(0, 0, 0, 0.3)"},
		{Name: "--rs-font-display", Kind: KindFont, Label: "Heading font", Light: systemFonts},
		{Name: "--rs-font-body", Kind: KindFont, Label: "Body font", Light: systemFonts},
	}
}

// Lookup returns the variable called name (with its leading --).
func Lookup(name string) (Variable, bool) {
	vars := Variables()
	i := slices.IndexFunc(vars, func(v Variable) bool { return v.Name == name })
	if i < 0 {
		return Variable{}, false
	}
	return vars[i], true
}

// Names returns the variable names in file order.
func Names() []string {
	vars := Variables()
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = v.Name
	}
	return out
}

// Scheme is a colour scheme: the light values live in :root, the dark ones
// in :root under @media (prefers-color-scheme: dark).
type Scheme string

const (
	Light Scheme = "light"
	Dark  Scheme = "dark"
)

// Values maps a variable name to its value in one scheme.
type Values map[string]string

// Theme is what a theme file says: the light values and the dark
// redefinitions (a variable missing from Dark inherits its light value).
type Theme struct {
	Light Values `json:"light"`
	Dark  Values `json:"dark"`
}

// Defaults is the theme gen writes.
func Defaults() Theme {
	t := Theme{Light: Values{}, Dark: Values{}}
	for _, v := range Variables() {
		t.Light[v.Name] = v.Light
		if v.Dark != "" {
			t.Dark[v.Name] = v.Dark
		}
	}
	return t
}

// Clone returns a deep copy of t.
func (t Theme) Clone() Theme {
	c := Theme{Light: Values{}, Dark: Values{}}
	for k, v := range t.Light {
		c.Light[k] = v
	}
	for k, v := range t.Dark {
		c.Dark[k] = v
	}
	return c
}

// Effective returns the values in force for scheme: for dark, the light
// values overlaid with the dark redefinitions, as the cascade does.
func (t Theme) Effective(s Scheme) Values {
	out := Values{}
	for k, v := range t.Light {
		out[k] = v
	}
	if s == Dark {
		for k, v := range t.Dark {
			out[k] = v
		}
	}
	return out
}
