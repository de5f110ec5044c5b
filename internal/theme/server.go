package theme

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/regstack/regstack/internal/localserver"
)

// assets are the designer's own page, style and script. go:embed needs a
// package variable; nothing writes to it.
//
//go:embed assets
var assets embed.FS

// Designer is the local theme designer: one HTTP handler serving its own
// page (embedded HTML, CSS and JS), a JSON API to read and save the theme,
// and previews of the host's pages. Everything is below /<token>/, a random
// value per launch, so another local user or a web page the browser has
// open cannot reach it (DNS rebinding included: it cannot know the token).
type Designer struct {
	themePath string
	// display is the theme file's path as shown to the operator.
	display string
	coreCSS string
	preview Previewer
	token   string
	index   *template.Template
	// mu serializes saves: each reads the file, merges and replaces it.
	mu sync.Mutex
	// done is closed by POST /api/done (the page's Done button).
	done     chan struct{}
	doneOnce sync.Once
}

// Options configure a Designer.
type Options struct {
	// ThemePath is the theme file the designer edits and saves.
	ThemePath string
	// Display is ThemePath as shown on the page (relative to the host).
	Display string
	// CoreCSS is the host's core.css, served to the previews.
	CoreCSS string
	// Preview renders the host's pages; nil shows no previews.
	Preview Previewer
	// Token is the secret path element; empty means a fresh random one.
	Token string
}

// Previewer renders one of the host's pages with sample data, linking the
// given stylesheets instead of the host's static URLs.
type Previewer interface {
	Pages() []string
	Render(w io.Writer, page string, css []string) error
}

// New returns a designer for the theme file of o. The file must parse.
func New(o Options) (*Designer, error) {
	if _, err := Load(o.ThemePath); err != nil {
		return nil, err
	}
	token := o.Token
	if token == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		token = base64.RawURLEncoding.EncodeToString(b)
	}
	index, err := template.New("index.html").Funcs(template.FuncMap{
		"hex": func(s string) string {
			c, ok := ParseColour(s)
			if !ok {
				return "#000000"
			}
			return c.Hex()
		},
	}).ParseFS(assets, "assets/index.html")
	if err != nil {
		return nil, err
	}
	display := o.Display
	if display == "" {
		display = o.ThemePath
	}
	return &Designer{
		themePath: o.ThemePath, display: display, coreCSS: o.CoreCSS, preview: o.Preview,
		token: token, index: index, done: make(chan struct{}),
	}, nil
}

// Token is the secret path element of every designer URL.
func (d *Designer) Token() string { return d.token }

// URL is the designer's address when it listens on addr.
func (d *Designer) URL(addr net.Addr) string {
	return fmt.Sprintf("http://%s/%s/", addr, d.token)
}

// Done is closed when the page asked the designer to stop.
func (d *Designer) Done() <-chan struct{} { return d.done }

// Handler serves the designer. Every request whose path does not start
// with /<token>/ gets 403 and nothing else.
func (d *Designer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", d.serveIndex)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(d.serveAsset)))
	mux.HandleFunc("GET /api/state", d.serveState)
	mux.HandleFunc("POST /api/save", d.serveSave)
	mux.HandleFunc("POST /api/done", d.serveDone)
	mux.HandleFunc("GET /preview/core.css", d.serveCore)
	mux.HandleFunc("GET /preview/theme.css", d.serveThemeCSS)
	mux.HandleFunc("GET /preview/{page}", d.servePreview)
	// The token only stops who does not know it; a cross-site form or
	// fetch from a page that learned it must still not save.
	protected := http.NewCrossOriginProtection().Handler(mux)
	prefix := "/" + d.token
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seg, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		// Constant time, so response timing does not reveal how much of a
		// guessed token was right.
		if subtle.ConstantTimeCompare([]byte(seg), []byte(d.token)) != 1 {
			http.Error(w, "403 forbidden", http.StatusForbidden)
			return
		}
		if r.URL.Path == prefix {
			http.Redirect(w, r, prefix+"/", http.StatusFound)
			return
		}
		common(w.Header())
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rest
		r2.URL.RawPath = ""
		protected.ServeHTTP(w, r2)
	})
}

// common are the headers of every answer: nothing is cached (the page
// carries the token), the token never leaves in a Referer, and nothing is
// sniffed.
func common(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
}

// designerCSP allows the designer page its own script, style and frames,
// and nothing inline.
const designerCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

// previewCSP lets a preview load its stylesheets and nothing else: no
// script of the host's runs, and no form can be sent from a preview.
const previewCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'"

type indexRow struct {
	Variable
	Value string
}

// current is the theme the file holds now. Every answer reads the file
// afresh rather than keeping a copy, so an edit made by hand while the
// designer runs shows on the next reload and is never saved over.
func (d *Designer) current() (Theme, error) {
	doc, err := Load(d.themePath)
	if err != nil {
		return Theme{}, err
	}
	return Current(doc), nil
}

func (d *Designer) serveIndex(w http.ResponseWriter, r *http.Request) {
	th, err := d.current()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var rows []indexRow
	for _, v := range Variables() {
		rows = append(rows, indexRow{Variable: v, Value: th.Light[v.Name]})
	}
	var pages []string
	if d.preview != nil {
		pages = d.preview.Pages()
	}
	var buf bytes.Buffer
	err = d.index.Execute(&buf, map[string]any{
		"Path": d.display, "Rows": rows, "Pages": pages,
		"Contrast": checkScheme(th, Light), "AA": AA,
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Security-Policy", designerCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func checkScheme(t Theme, s Scheme) []Contrast {
	var out []Contrast
	for _, c := range Check(t) {
		if c.Scheme == s {
			out = append(out, c)
		}
	}
	return out
}

func (d *Designer) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Path
	types := map[string]string{"designer.css": "text/css; charset=utf-8", "designer.js": "text/javascript; charset=utf-8"}
	ct, ok := types[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Write(b)
}

// State is GET /api/state.
type State struct {
	Path      string     `json:"path"`
	Variables []Variable `json:"variables"`
	Theme     Theme      `json:"theme"`
	Defaults  Theme      `json:"defaults"`
	Pairs     []Pair     `json:"pairs"`
	Contrast  []Contrast `json:"contrast"`
	AA        float64    `json:"aa"`
	Pages     []string   `json:"pages"`
}

func (d *Designer) serveState(w http.ResponseWriter, r *http.Request) {
	th, err := d.current()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"ok": false, "error": err.Error()})
		return
	}
	st := State{
		Path: d.display, Variables: Variables(), Theme: th, Defaults: Defaults(),
		Pairs: Pairs(), Contrast: Check(th), AA: AA, Pages: []string{},
	}
	if d.preview != nil {
		st.Pages = d.preview.Pages()
	}
	writeJSON(w, http.StatusOK, st)
}

// SaveResult is the answer of POST /api/save.
type SaveResult struct {
	OK       bool         `json:"ok"`
	Path     string       `json:"path,omitempty"`
	Bytes    int          `json:"bytes,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
	Error    string       `json:"error,omitempty"`
	Contrast []Contrast   `json:"contrast,omitempty"`
	// Theme is what was saved, values normalized (8 → 8px).
	Theme *Theme `json:"theme,omitempty"`
}

func (d *Designer) serveSave(w http.ResponseWriter, r *http.Request) {
	var next Theme
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&next); err != nil || next.Light == nil {
		writeJSON(w, http.StatusBadRequest, SaveResult{Error: "the body must be {\"light\": {...}, \"dark\": {...}}"})
		return
	}
	if next.Dark == nil {
		next.Dark = Values{}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	// Read the file again: it may have been edited since the page loaded,
	// and Render keeps whatever else it now holds.
	doc, err := Load(d.themePath)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, SaveResult{Error: err.Error()})
		return
	}
	th, errs := Merge(Current(doc), next)
	if len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, SaveResult{Errors: errs})
		return
	}
	out := doc.Render(th)
	if err := Write(d.themePath, out); err != nil {
		writeJSON(w, http.StatusInternalServerError, SaveResult{Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, SaveResult{OK: true, Path: d.display, Bytes: len(out), Contrast: Check(th), Theme: &th})
}

func (d *Designer) serveDone(w http.ResponseWriter, r *http.Request) {
	d.doneOnce.Do(func() { close(d.done) })
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (d *Designer) serveCore(w http.ResponseWriter, r *http.Request) {
	b, err := os.ReadFile(d.coreCSS)
	if err != nil {
		http.Error(w, "no core.css: "+err.Error(), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(b)
}

// serveThemeCSS serves the saved values of one scheme as a plain :root
// block, so a preview shows the scheme the designer has selected whatever
// the operating system prefers. The page's script then overrides them
// live with the values being edited.
func (d *Designer) serveThemeCSS(w http.ResponseWriter, r *http.Request) {
	s := Light
	if r.URL.Query().Get("scheme") == string(Dark) {
		s = Dark
	}
	th, err := d.current()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	vals := th.Effective(s)
	var b strings.Builder
	b.WriteString(":root {\n")
	for _, name := range Names() {
		if v, ok := vals[name]; ok {
			fmt.Fprintf(&b, "  %s: %s;\n", name, v)
		}
	}
	fmt.Fprintf(&b, "  color-scheme: %s;\n}\n", s)
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	io.WriteString(w, b.String())
}

func (d *Designer) servePreview(w http.ResponseWriter, r *http.Request) {
	page := r.PathValue("page")
	if d.preview == nil || !slices.Contains(d.preview.Pages(), page) {
		http.NotFound(w, r)
		return
	}
	scheme := Light
	if r.URL.Query().Get("scheme") == string(Dark) {
		scheme = Dark
	}
	prefix := "/" + d.token + "/preview/"
	css := []string{prefix + "core.css", prefix + "theme.css?scheme=" + string(scheme)}
	var buf bytes.Buffer
	if err := d.preview.Render(&buf, page, css); err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "rendering the host's %s page failed:\n%v\n", page, err)
		return
	}
	w.Header().Set("Content-Security-Policy", previewCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// Serve runs the designer on ln until ctx is cancelled (Ctrl-C) or the
// page's Done button is pressed, then shuts the server down, letting
// requests in flight (a save) finish for up to five seconds.
func (d *Designer) Serve(ctx context.Context, ln net.Listener) error {
	return localserver.Serve(ctx, ln, d.Handler(), d.done)
}

// Listen opens 127.0.0.1:port (0: a free port the system picks). Only the
// loopback address: the designer writes files and must not be reachable
// from the network.
func Listen(port int) (net.Listener, error) { return localserver.Listen(port) }
