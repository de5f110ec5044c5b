package oauthsetup

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/regstack/regstack/internal/checkreport"
	"github.com/regstack/regstack/internal/hostfiles"
	"github.com/regstack/regstack/internal/localserver"
)

// assets are the wizard's page templates and stylesheet. go:embed needs a
// package variable; nothing writes to it.
//
//go:embed assets
var assets embed.FS

// CSP is the wizard's Content-Security-Policy: its own stylesheet, forms
// posting back to itself, no script at all, and never in a frame.
const CSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'"

// The extra form fields of the wizard, beside the Input's.
const (
	fieldConfirm = "confirm_replace"
	fieldUpgrade = "upgrade"
	fieldForm    = "_form"
)

// ConsoleURL is where Google's console creates OAuth clients.
const ConsoleURL = "https://console.cloud.google.com/apis/credentials"

// Wizard is the local web wizard: server-rendered forms that post back,
// no script. Everything is below /<token>/, a random value per launch, so
// another local user, or a page open in the browser, cannot reach it
// (DNS rebinding included: it cannot know the token).
type Wizard struct {
	dir, display string
	initial      *Input
	upgrade      func(context.Context, io.Writer) error
	client       *http.Client
	token        string
	pages        *template.Template
	// mu serializes saves: each reads the files, merges and replaces them.
	mu sync.Mutex
	// done is closed by POST /api/done (the page's Done button).
	done     chan struct{}
	doneOnce sync.Once
}

// Options configure a Wizard.
type Options struct {
	// Dir is the host folder; Display is how the page names it.
	Dir, Display string
	// Initial fills the form the first time; nil takes the host's
	// current settings.
	Initial *Input
	// Upgrade runs `regstack gen --upgrade --set features.google=true` in
	// the host, writing its report to the writer. The wizard offers it
	// when the package was generated without Sign in with Google.
	Upgrade func(ctx context.Context, out io.Writer) error
	// Client fetches the discovery document; nil is http.DefaultClient.
	Client *http.Client
	// Token is the secret path element; empty means a fresh random one.
	Token string
}

// New returns a wizard for the host folder of o.
func New(o Options) (*Wizard, error) {
	if _, err := ReadHost(o.Dir); err != nil {
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
	pages, err := template.New("").Funcs(template.FuncMap{
		// errorFor is the error of one field, for the "error" template.
		"errorFor": func(errs map[string]string, field string) *FieldError {
			if msg, ok := errs[field]; ok {
				return &FieldError{field, msg}
			}
			return nil
		},
	}).ParseFS(assets, "assets/*.html")
	if err != nil {
		return nil, err
	}
	client := o.Client
	if client == nil {
		client = http.DefaultClient
	}
	display := o.Display
	if display == "" {
		display = o.Dir
	}
	return &Wizard{
		dir: o.Dir, display: display, initial: o.Initial, upgrade: o.Upgrade, client: client,
		token: token, pages: pages, done: make(chan struct{}),
	}, nil
}

// Token is the secret path element of every wizard URL.
func (wz *Wizard) Token() string { return wz.token }

// URL is the wizard's address when it listens on addr.
func (wz *Wizard) URL(addr net.Addr) string { return fmt.Sprintf("http://%s/%s/", addr, wz.token) }

// Done is closed when the page asked the wizard to stop.
func (wz *Wizard) Done() <-chan struct{} { return wz.done }

// Handler serves the wizard. A request whose path does not start with
// /<token>/ gets 403 and nothing else.
func (wz *Wizard) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", wz.serveForm)
	mux.HandleFunc("POST /{$}", wz.serveSubmit)
	mux.HandleFunc("GET /static/wizard.css", serveCSS)
	mux.HandleFunc("POST /api/done", wz.serveDone)
	// The token keeps out who does not know it; a cross-site form from a
	// page that learned it must still not write (Origin, Sec-Fetch-Site).
	protected := http.NewCrossOriginProtection().Handler(mux)
	prefix := "/" + wz.token
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seg, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		// Constant time, so timing does not tell how much of a guess was
		// right.
		if subtle.ConstantTimeCompare([]byte(seg), []byte(wz.token)) != 1 {
			http.Error(w, "403 forbidden", http.StatusForbidden)
			return
		}
		if r.URL.Path == prefix {
			http.Redirect(w, r, prefix+"/", http.StatusFound)
			return
		}
		h := w.Header()
		// Nothing is cached (the pages carry the token), the token never
		// leaves in a Referer, and nothing is sniffed.
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", CSP)
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rest
		r2.URL.RawPath = ""
		protected.ServeHTTP(w, r2)
	})
}

func serveCSS(w http.ResponseWriter, _ *http.Request) {
	b, err := assets.ReadFile("assets/wizard.css")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(b)
}

// formPage is the data of form.html.
type formPage struct {
	Base, Dir, ConfigFile, SecretsFile string
	In                                 Input // ClientSecret is always empty: never sent back
	APIPrefix, Issuer                  string
	Origin, Redirect                   string // to paste into Google's console
	ConsoleURL                         string
	ExistingClient                     string
	HaveSecret, NeedsGoogle            bool
	CanUpgrade                         bool
	Confirm, Upgrade, Discovery        bool // checkbox states
	Errors                             map[string]string
	ErrorList                          []FieldError
	// SecretDropped says a secret was entered but the form came back
	// with errors, so it must be typed again.
	SecretDropped bool
}

// savedPage is the data of saved.html.
type savedPage struct {
	Base, Dir                     string
	ConfigFile, SecretsFile       string
	ConfigSummary, SecretsSummary string
	ConfigDiff, SecretsDiff       string
	Redirect, SignIn              string
	ReplacedExisting              bool
	Discovery                     *checkreport.Check
	UpgradeLog                    string
}

func (wz *Wizard) newForm(h *Host, in Input) *formPage {
	p := &formPage{
		Base: "/" + wz.token + "/", Dir: wz.display, ConfigFile: hostfiles.ConfigFile, SecretsFile: hostfiles.SecretsFile,
		In: in, APIPrefix: h.APIPrefix, Issuer: h.Issuer, ConsoleURL: ConsoleURL,
		ExistingClient: h.ClientID, HaveSecret: h.HaveSecret, NeedsGoogle: h.NeedsGoogle, CanUpgrade: wz.upgrade != nil,
		Discovery: true, Errors: map[string]string{},
	}
	p.In.ClientSecret = ""
	if checkURL(in.BaseURL, "Base URL") == "" {
		p.Origin, _ = Origin(in.BaseURL)
		p.Redirect = h.EffectiveRedirectURI(in)
	}
	return p
}

func (p *formPage) fail(field, msg string) {
	if _, ok := p.Errors[field]; !ok {
		p.Errors[field] = msg
		p.ErrorList = append(p.ErrorList, FieldError{field, msg})
	}
}

func (wz *Wizard) serveForm(w http.ResponseWriter, r *http.Request) {
	h, err := ReadHost(wz.dir)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	in := h.Defaults()
	if wz.initial != nil {
		in = *wz.initial
	}
	wz.render(w, http.StatusOK, "form.html", wz.newForm(h, in))
}

// serveSubmit handles both forms of the page: "refresh" recomputes the
// addresses for another base URL, "save" validates and writes.
func (wz *Wizard) serveSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form: "+err.Error(), http.StatusBadRequest)
		return
	}
	f := r.PostForm
	in := Clean(Input{
		BaseURL: f.Get("base_url"), ClientID: f.Get("client_id"), ClientSecret: f.Get("client_secret"),
		RedirectURI: f.Get("redirect_uri"), AutoLink: f.Get("auto_link") == "on",
	})
	wz.mu.Lock()
	defer wz.mu.Unlock()
	h, err := ReadHost(wz.dir)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p := wz.newForm(h, in)
	p.Confirm, p.Upgrade, p.Discovery = f.Get(fieldConfirm) == "on", f.Get(fieldUpgrade) == "on", f.Get("check_discovery") == "on"
	if f.Get("action") == "refresh" {
		if msg := checkURL(in.BaseURL, "Base URL"); msg != "" {
			p.fail(FieldBaseURL, msg)
		}
		// The other form's checkboxes are not in this post: keep the
		// discovery check on, its default.
		p.Discovery = true
		wz.render(w, http.StatusOK, "form.html", p)
		return
	}

	for _, e := range Validate(in, h.HaveSecret) {
		p.fail(e.Field, e.Message)
	}
	if h.NeedsGoogle && !p.Upgrade {
		p.fail(fieldUpgrade, "The generated package has no Sign in with Google yet, and its config refuses these settings: tick the box to add it.")
	}
	var plan *Plan
	if len(p.ErrorList) == 0 {
		if plan, err = h.Plan(in); err != nil {
			p.fail(fieldForm, err.Error())
		} else if plan.ReplacedExisting && !p.Confirm {
			p.fail(fieldConfirm, "Confirm you want to replace the existing Google client.")
		}
	}
	if len(p.ErrorList) > 0 {
		p.SecretDropped = in.ClientSecret != ""
		wz.render(w, http.StatusUnprocessableEntity, "form.html", p)
		return
	}

	var log bytes.Buffer
	if h.NeedsGoogle {
		if wz.upgrade == nil {
			p.fail(fieldUpgrade, "Run regstack gen --upgrade --set features.google=true in the host first.")
			wz.render(w, http.StatusUnprocessableEntity, "form.html", p)
			return
		}
		// An upgrade once started runs to its end even if the browser
		// gives up waiting: half an upgrade is worse than none.
		if err := wz.upgrade(context.WithoutCancel(r.Context()), &log); err != nil {
			p.fail(fieldUpgrade, "The upgrade failed; nothing else was written: "+err.Error())
			p.SecretDropped = in.ClientSecret != ""
			wz.render(w, http.StatusInternalServerError, "form.html", p)
			return
		}
		// The upgrade may have edited regstack.toml: merge into that.
		if h, err = ReadHost(wz.dir); err == nil {
			plan, err = h.Plan(in)
		}
		if err != nil {
			p.fail(fieldForm, err.Error())
			wz.render(w, http.StatusInternalServerError, "form.html", p)
			return
		}
	}
	if err := plan.Write(wz.dir); err != nil {
		p.fail(fieldForm, "Writing the files failed: "+err.Error())
		wz.render(w, http.StatusInternalServerError, "form.html", p)
		return
	}
	s := &savedPage{
		Base: "/" + wz.token + "/", Dir: wz.display, ConfigFile: hostfiles.ConfigFile, SecretsFile: hostfiles.SecretsFile,
		ConfigSummary: Summary(plan.ConfigChanges), SecretsSummary: Summary(plan.SecretsChanges),
		ConfigDiff: string(plan.ConfigDiff), SecretsDiff: string(plan.SecretsDiff),
		Redirect: plan.RedirectURI, SignIn: strings.TrimRight(h.BaseURL, "/") + h.UIPrefix + "/login",
		ReplacedExisting: plan.ReplacedExisting, UpgradeLog: log.String(),
	}
	if p.Discovery {
		c := CheckDiscovery(r.Context(), wz.client, h.Issuer)
		s.Discovery = &c
	}
	wz.render(w, http.StatusOK, "saved.html", s)
}

func (wz *Wizard) serveDone(w http.ResponseWriter, _ *http.Request) {
	wz.render(w, http.StatusOK, "done.html", map[string]string{"Base": "/" + wz.token + "/"})
	wz.doneOnce.Do(func() { close(wz.done) })
}

// render executes a page into a buffer first, so a template error is a
// clean 500 rather than half a page.
func (wz *Wizard) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := wz.pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Serve runs the wizard on ln until ctx is cancelled (Ctrl-C) or the
// page's Done button is pressed, then shuts the server down, letting a
// save in flight finish for up to five seconds.
func (wz *Wizard) Serve(ctx context.Context, ln net.Listener) error {
	return localserver.Serve(ctx, ln, wz.Handler(), wz.done)
}

// Listen opens 127.0.0.1:port (0: a free port the system picks). Only the
// loopback address: the wizard writes secrets and must not be reachable
// from the network.
func Listen(port int) (net.Listener, error) { return localserver.Listen(port) }
