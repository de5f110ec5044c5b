package e2e

// The browser harness: the page tests drive Debian's Chromium through
// chromedp (the DevTools protocol over a pipe, no driver binary).
//
//   - One browser per test binary, started on first use (browserTab) and
//     closed by TestMain (closeBrowser). Each test gets its own tab in its
//     own browser context (an incognito profile: no cookie leaks between
//     tests), closed at the test's cleanup.
//   - Page scripts are disabled in the tabs of the page flows
//     (Emulation.setScriptExecutionDisabled): every page must work without
//     JavaScript. The harness's own probes (the accessibility check, computed
//     styles) still run: Runtime.evaluate from the protocol is not a page
//     script and is not affected by that switch or by the page's CSP.
//   - capture(step) writes screenshots of the page as it is, in the light
//     and the dark colour scheme (prefers-color-scheme emulated), 1280 and
//     375 px wide, and runs the accessibility check (a11yScript: lang, one
//     h1 and one main, labels, 24 px targets, text contrast >= 4.5:1) in
//     both schemes; the page must fit 320 px without scrolling sideways, and
//     nothing may have been refused by its Content-Security-Policy.
//   - TestBrowserHarness checks those checks on a page made to fail them.
//
// Screenshots go to e2e/artifacts/browser/<test>/ (ignored by git;
// E2E_ARTIFACTS=dir puts them under dir/browser/ instead). Each test
// empties its own folder first, so the folder shows the last run.
//
// Chromium is found as $E2E_CHROMIUM, else chromium, chromium-browser,
// google-chrome on PATH. Without one the browser tests fail with a message
// saying how to install it (Debian: apt-get install chromium; .ci/run does).

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/regstack/regstack/e2e/internal/proc"
	"github.com/regstack/regstack/e2e/internal/smtpsink"
)

// actionTimeout bounds one browser step (a navigation, a click and the page
// it loads, a screenshot).
const actionTimeout = 30 * time.Second

// Screenshot widths (CSS px): a desktop window and a small phone.
var captureWidths = []int64{1280, 375}

// narrowest is the narrowest width (CSS px) a page must fit without
// scrolling sideways; capture checks it without a screenshot.
const narrowest = 320

// colour schemes the pages are captured and checked in.
var colourSchemes = []string{"light", "dark"}

// theBrowser is the shared Chromium, started once.
var theBrowser struct {
	once    sync.Once
	ctx     context.Context // the browser's first tab; parent of every test's tab
	cancel  func()          // closes the browser (the allocator's cancel)
	output  *proc.Output    // Chromium's stderr, shown when a test fails
	started time.Duration
	err     error
}

// chromiumPath finds the browser binary.
func chromiumPath() (string, error) {
	if p := os.Getenv("E2E_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("E2E_CHROMIUM=%s: %v (the browser tests need Chromium; on Debian: apt-get install chromium)", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found (looked for $E2E_CHROMIUM, chromium, chromium-browser, google-chrome on PATH): " +
		"the browser tests need it. On Debian: apt-get install chromium (.ci/run installs it when missing)")
}

// startBrowser starts the shared browser on first use and returns it.
func startBrowser(t testing.TB) context.Context {
	t.Helper()
	b := &theBrowser
	b.once.Do(func() {
		path, err := chromiumPath()
		if err != nil {
			b.err = err
			return
		}
		profile, err := os.MkdirTemp(fx.work, "chromium-")
		if err != nil {
			b.err = err
			return
		}
		b.output = &proc.Output{}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.UserDataDir(profile),
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.DisableGPU,
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("no-pings", true),
			chromedp.WindowSize(1280, 800),
			chromedp.CombinedOutput(b.output),
			// chromedp adds --no-sandbox itself when running as root.
		)
		start := time.Now()
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(allocCtx)
		b.cancel = func() { cancelCtx(); cancelAlloc() }
		if err := chromedp.Do(ctx); err != nil { // starts the browser
			b.cancel()
			b.err = fmt.Errorf("starting %s: %v\n%s", path, err, tail(b.output.String(), 40))
			return
		}
		b.ctx = ctx
		b.started = time.Since(start)
		version, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
		if err == nil {
			t.Logf("browser: %s (%s), started in %s", version.Product, path, b.started.Round(time.Millisecond))
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.ctx
}

// closeBrowser closes the shared browser, if it was started (TestMain).
func closeBrowser() {
	if theBrowser.cancel != nil {
		theBrowser.cancel()
	}
}

// tab is one test's browser tab.
type tab struct {
	t     testing.TB
	ctx   context.Context
	dir   string // the test's artifact folder
	shots int    // captures so far (numbers the files)

	mu      sync.Mutex
	refused []string // the browser's reports of content the page's CSP refused, not yet checked
}

// browserTab opens a tab for t in a fresh browser context, page scripts
// disabled, closed when t ends.
func browserTab(t testing.TB) *tab {
	t.Helper()
	return openTab(t, false)
}

// openTab is browserTab with the choice of page scripts on or off.
func openTab(t testing.TB, scripts bool) *tab {
	t.Helper()
	parent := startBrowser(t)
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(func() {
		cancel()
		if t.Failed() {
			var lines []string
			for _, l := range strings.Split(theBrowser.output.String(), "\n") {
				if !strings.Contains(l, "dbus") { // no system bus in a container: noise
					lines = append(lines, l)
				}
			}
			t.Logf("chromium's output (last lines):\n%s", tail(strings.Join(lines, "\n"), 20))
		}
	})
	if err := chromedp.Do(ctx); err != nil { // opens the tab (no timeout: see chromedp's docs)
		t.Fatalf("open a browser tab: %v", err)
	}
	p := &tab{t: t, ctx: ctx, dir: artifactDir(t)}
	// Collect what the Content-Security-Policy refuses (an inline style or
	// script, a stylesheet of another origin): the pages must need none.
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if strings.Contains(m.Text, "Content Security Policy") {
				p.mu.Lock()
				p.refused = append(p.refused, m.Text)
				p.mu.Unlock()
			}
		}
	}()
	if !scripts {
		p.call("disable page scripts", func(ctx context.Context) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		})
	}
	p.viewport(captureWidths[0])
	return p
}

// emptied records the artifact folders emptied by this run.
var emptied sync.Map

// artifactDir is t's screenshot folder, emptied on its first use in this
// run (a test with two tabs shares it).
func artifactDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv("E2E_ARTIFACTS")
	if root == "" {
		root = filepath.Join(fx.repo, "e2e", "artifacts")
	}
	dir := filepath.Join(root, "browser", regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_"))
	if _, done := emptied.LoadOrStore(dir, true); !done {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// call runs f with a context that times out after actionTimeout, failing
// the test on error.
func (p *tab) call(what string, f func(ctx context.Context) error) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	if err := f(ctx); err != nil {
		p.t.Fatalf("browser: %s: %v", what, err)
	}
}

// do runs steps that return nothing.
func (p *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	p.call(what, func(ctx context.Context) error { return chromedp.Do(ctx, steps...) })
}

// open navigates to url and returns the HTTP status of the document.
func (p *tab) open(url string) int {
	p.t.Helper()
	var status int
	p.call("open "+url, func(ctx context.Context) error {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
		if err != nil {
			return err
		}
		if resp == nil {
			return fmt.Errorf("no response for the document")
		}
		status = int(resp.Status)
		return nil
	})
	return status
}

// submit clicks the element sel (a submit button), waits for the page the
// form's answer loads (after redirects) and returns its HTTP status.
func (p *tab) submit(sel string) int {
	p.t.Helper()
	// A form the browser's own checks refuse is never sent: say so now
	// instead of waiting for a page that does not come.
	invalid := eval[string](p, "validity of the form of "+sel, `(() => {
		const f = document.querySelector(`+jsString(sel)+`)?.form;
		if (!f || f.noValidate) return "";
		return Array.from(f.elements).filter(e => e.willValidate && !e.checkValidity())
			.map(e => (e.name || e.id) + ": " + e.validationMessage).join("; ");
	})()`)
	if invalid != "" {
		p.t.Fatalf("browser: the form of %s would not be sent, the browser refuses it: %s", sel, invalid)
	}
	return clickForPage(p, chromedp.CSS(sel))
}

// submitLabelled clicks the button whose text is label, as submit does.
func (p *tab) submitLabelled(label string) int {
	p.t.Helper()
	return clickForPage(p, chromedp.Search(`//button[normalize-space()=`+xpathString(label)+`]`))
}

// xpathString quotes s as an XPath 1.0 string literal (s must not hold
// both kinds of quote).
func xpathString(s string) string {
	if strings.Contains(s, `"`) {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}

func clickForPage[S chromedp.Selectable](p *tab, sel S) int {
	p.t.Helper()
	var status int
	p.call(fmt.Sprintf("click %v", sel), func(ctx context.Context) error {
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel, chromedp.NodeVisible))
		if err != nil {
			return err
		}
		if resp == nil {
			return fmt.Errorf("no response for the document")
		}
		status = int(resp.Status)
		return nil
	})
	return status
}

// fill replaces the value of the input sel: it empties the field's value
// property with a probe (chromedp.Clear only resets the attribute, which a
// field someone typed into ignores, and chromedp.SetValue(sel, "")
// reports a failure) and types value (key events, so a page's input
// listeners see it).
func (p *tab) fill(sel, value string) {
	p.t.Helper()
	if !eval[bool](p, "empty "+sel, `(() => { const el = document.querySelector(`+jsString(sel)+`); if (!el) return false; el.value = ""; return true; })()`) {
		p.t.Fatalf("browser: fill %s: no such element at %s", sel, p.location())
	}
	p.do("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
}

// location is the URL of the page.
func (p *tab) location() string {
	p.t.Helper()
	var loc string
	p.call("location", func(ctx context.Context) (err error) {
		loc, err = chromedp.Run(ctx, chromedp.Location())
		return err
	})
	return loc
}

// text is the rendered text of the first element matching sel.
func (p *tab) text(sel string) string {
	p.t.Helper()
	var s string
	p.call("text of "+sel, func(ctx context.Context) (err error) {
		s, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		return err
	})
	return s
}

// eval evaluates a JavaScript expression in the page (a probe of the
// harness, allowed with page scripts disabled) and decodes its JSON value.
func eval[T any](p *tab, what, expr string) T {
	p.t.Helper()
	var v T
	p.call(what, func(ctx context.Context) (err error) {
		v, err = chromedp.Run(ctx, chromedp.Evaluate[T](expr))
		return err
	})
	return v
}

// has reports whether an element matches sel (now; no waiting).
func (p *tab) has(sel string) bool {
	p.t.Helper()
	return eval[bool](p, "query "+sel, "document.querySelector("+jsString(sel)+") !== null")
}

// attr is the attribute name of the first element matching sel ("" when
// there is no such element or attribute).
func (p *tab) attr(sel, name string) string {
	p.t.Helper()
	return eval[string](p, "attribute "+name+" of "+sel,
		"(document.querySelector("+jsString(sel)+")?.getAttribute("+jsString(name)+") ?? '')")
}

// scheme switches prefers-color-scheme ("light" or "dark").
func (p *tab) scheme(s string) {
	p.t.Helper()
	p.call("prefers-color-scheme: "+s, func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: s}},
		})
		return err
	})
}

// viewport sets the layout width (CSS px); the height is a laptop's.
func (p *tab) viewport(width int64) {
	p.t.Helper()
	p.do(fmt.Sprintf("viewport %d px", width), chromedp.EmulateViewport(width, 800))
}

// capture screenshots the page in both colour schemes at both widths into
// the test's artifact folder (NN-step-scheme-width.png), runs the
// accessibility check in both schemes, checks that the page fits 375 and
// 320 px without scrolling sideways, and reports what the page's CSP
// refused since the last capture. It leaves the tab at 1280 px in
// the light scheme.
func (p *tab) capture(step string) {
	p.t.Helper()
	p.shots++
	p.checkRefused(step)
	var measured []string
	for _, w := range captureWidths {
		p.viewport(w)
		for _, s := range colourSchemes {
			p.scheme(s)
			if w == captureWidths[0] {
				r := p.checkAccessibility(step + " (" + s + ")")
				measured = append(measured, fmt.Sprintf("%s: %d texts, %d fields", s, r.Texts, r.Inputs))
			} else {
				p.checkNarrow(step+" ("+s+")", w)
			}
			var png []byte
			p.call("screenshot", func(ctx context.Context) (err error) {
				png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
				return err
			})
			name := filepath.Join(p.dir, fmt.Sprintf("%02d-%s-%s-%d.png", p.shots, step, s, w))
			if err := os.WriteFile(name, png, 0o644); err != nil {
				p.t.Fatal(err)
			}
		}
	}
	p.viewport(narrowest)
	p.checkNarrow(step, narrowest)
	p.viewport(captureWidths[0])
	p.scheme("light")
	p.t.Logf("captured %s (%s); checked %s", step, p.location(), strings.Join(measured, ", "))
}

// screenshot writes one screenshot of the page as it is (width and colour
// scheme unchanged) into the test's artifact folder, without the
// accessibility check (for pages that are not the app's, like the theme
// designer).
func (p *tab) screenshot(step string) {
	p.t.Helper()
	p.shots++
	var png []byte
	p.call("screenshot", func(ctx context.Context) (err error) {
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		return err
	})
	name := filepath.Join(p.dir, fmt.Sprintf("%02d-%s.png", p.shots, step))
	if err := os.WriteFile(name, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// docImage copies the 1280 px light and dark screenshots of the last
// capture to docs/img/<name>-light.png and -dark.png when
// E2E_UPDATE_DOC_IMAGES is set (the images docs/pages.md shows; refresh
// them with E2E_UPDATE_DOC_IMAGES=1 go test -run TestBrowserAccountPages).
func (p *tab) docImage(name string) {
	p.t.Helper()
	if os.Getenv("E2E_UPDATE_DOC_IMAGES") == "" {
		return
	}
	for _, s := range colourSchemes {
		p.copyDocImage(fmt.Sprintf("%02d-*-%s-%d.png", p.shots, s, captureWidths[0]), name+"-"+s+".png")
	}
}

// copyDocImage copies the screenshot matching pattern in the artifact
// folder to docs/img/name.
func (p *tab) copyDocImage(pattern, name string) {
	p.t.Helper()
	shots, _ := filepath.Glob(filepath.Join(p.dir, pattern))
	if len(shots) != 1 {
		p.t.Fatalf("doc image %s: want one screenshot %s, found %v", name, pattern, shots)
	}
	b, err := os.ReadFile(shots[0])
	if err != nil {
		p.t.Fatal(err)
	}
	dst := filepath.Join(fx.repo, "docs", "img", name)
	writeFile(p.t, dst, string(b))
	p.t.Logf("wrote %s", dst)
}

// a11yReport is what a11yScript returns.
type a11yReport struct {
	Problems []string `json:"problems"`
	Texts    int      `json:"texts"`   // text elements whose contrast was measured
	Inputs   int      `json:"inputs"`  // form fields checked for a label
	Unknown  int      `json:"unknown"` // texts over a background image (not measured)
}

// checkAccessibility runs a11yScript in the page and reports each problem
// as a test error.
func (p *tab) checkAccessibility(where string) a11yReport {
	p.t.Helper()
	r := p.accessibility(where)
	for _, problem := range r.Problems {
		p.t.Errorf("accessibility of %s at %s: %s", where, p.location(), problem)
	}
	if r.Texts == 0 {
		p.t.Errorf("accessibility of %s: no text measured (the check found nothing to check)", where)
	}
	return r
}

// accessibility runs a11yScript in the page.
func (p *tab) accessibility(where string) a11yReport {
	p.t.Helper()
	return eval[a11yReport](p, "accessibility check of "+where, a11yScript)
}

// checkRefused reports, as test errors, what the page's CSP refused
// since the last call.
func (p *tab) checkRefused(where string) {
	p.t.Helper()
	p.mu.Lock()
	refused := p.refused
	p.refused = nil
	p.mu.Unlock()
	for _, m := range refused {
		p.t.Errorf("%s: the browser refused content (CSP): %s", where, m)
	}
}

// checkNarrow: at a phone's width nothing scrolls sideways.
func (p *tab) checkNarrow(where string, width int64) {
	p.t.Helper()
	sw := eval[int64](p, "page width", "document.documentElement.scrollWidth")
	if sw > width+1 {
		p.t.Errorf("%s at %d px wide: the page is %d px wide (scrolls sideways)", where, width, sw)
	}
}

// a11yScript checks the page as it is rendered and returns an a11yReport:
//   - <html lang> is set;
//   - exactly one h1 and one main landmark;
//   - every control (button, field) is a target of at least 24×24 CSS px
//     (WCAG 2.5.8; links in running text are exempt there, and not checked);
//   - every form field a person fills in has an accessible name from a
//     <label>, aria-label or aria-labelledby;
//   - every rendered text (elements with their own text, and the values of
//     text fields) has a contrast of at least 4.5:1 (WCAG 2.2 AA; applied to
//     all text, large or not) against its
//     effective background: the element's own background composited over
//     its ancestors' down to the canvas (the colour scheme's Canvas colour).
//     Colours are normalised through a 2D canvas, so any CSS colour syntax
//     (oklch, color-mix, ...) is read as sRGB.
const a11yScript = `(() => {
const problems = [];
const minContrast = 4.5;
const lang = (document.documentElement.getAttribute('lang') || '').trim();
if (!lang) problems.push('<html> has no lang attribute');
const h1s = document.querySelectorAll('h1').length;
if (h1s !== 1) problems.push(h1s + ' h1 elements, want exactly 1');
const describe = el => {
	let s = el.tagName.toLowerCase();
	if (el.id) s += '#' + el.id;
	else if (el.getAttribute('name')) s += '[name=' + el.getAttribute('name') + ']';
	else if (el.className && typeof el.className === 'string') s += '.' + el.className.trim().split(/\s+/).join('.');
	return s;
};
const mains = document.querySelectorAll('main, [role=main]').length;
if (mains !== 1) problems.push(mains + ' main landmarks, want exactly 1');
for (const el of document.querySelectorAll('button, input, select, textarea, [role=button]')) {
	if (el.type === 'hidden') continue;
	const r = el.getBoundingClientRect();
	if (el.getClientRects().length === 0 || r.width === 0) continue;
	if (r.width < 24 || r.height < 24) {
		problems.push(describe(el) + ' is ' + Math.round(r.width) + '×' + Math.round(r.height) + ' px, a target needs 24×24 at least');
	}
}
let inputs = 0;
for (const el of document.querySelectorAll('input, select, textarea')) {
	const type = (el.getAttribute('type') || '').toLowerCase();
	if (el.tagName === 'INPUT' && ['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
	inputs++;
	let name = '';
	for (const l of el.labels || []) name += l.textContent.trim();
	name += (el.getAttribute('aria-label') || '').trim();
	for (const id of (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)) {
		const ref = document.getElementById(id);
		if (ref) name += ref.textContent.trim();
	}
	if (!name) problems.push(describe(el) + ' has no label');
}
const cv = document.createElement('canvas');
cv.width = cv.height = 1;
const cx = cv.getContext('2d', {willReadFrequently: true});
const rgba = c => {
	cx.clearRect(0, 0, 1, 1);
	cx.fillStyle = '#000';
	cx.fillStyle = c;
	cx.fillRect(0, 0, 1, 1);
	const d = cx.getImageData(0, 0, 1, 1).data;
	return [d[0], d[1], d[2], d[3] / 255];
};
const over = (top, below) => {
	const a = top[3];
	return [0, 1, 2].map(i => top[i] * a + below[i] * (1 - a)).concat([1]);
};
const probe = document.createElement('div');
probe.style.backgroundColor = 'Canvas';
document.documentElement.appendChild(probe);
const canvasColour = rgba(getComputedStyle(probe).backgroundColor);
probe.remove();
canvasColour[3] = 1;
const background = el => {
	const layers = [];
	for (let e = el; e; e = e.parentElement) {
		const cs = getComputedStyle(e);
		if (cs.backgroundImage && cs.backgroundImage !== 'none') return null;
		const c = rgba(cs.backgroundColor);
		if (c[3] > 0) layers.push(c);
		if (c[3] >= 1) break;
	}
	let bg = canvasColour;
	for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
	return bg;
};
const lum = c => {
	const ch = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
	return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
};
const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
const hex = c => '#' + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
let texts = 0, unknown = 0;
const textFields = ['text', 'email', 'password', 'search', 'tel', 'url', 'number', ''];
for (const el of document.body.querySelectorAll('*')) {
	if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION'].includes(el.tagName)) continue;
	let own = '';
	if (el.tagName === 'INPUT') {
		if (!textFields.includes((el.getAttribute('type') || '').toLowerCase())) continue;
		own = el.value;
	} else if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') {
		own = el.value;
	} else {
		for (const n of el.childNodes) if (n.nodeType === Node.TEXT_NODE) own += n.textContent;
	}
	own = own.trim();
	if (!own) continue;
	const cs = getComputedStyle(el);
	if (cs.visibility !== 'visible' || el.disabled) continue;
	const r = el.getBoundingClientRect();
	if (r.width <= 1 || r.height <= 1 || el.getClientRects().length === 0) continue;
	const bg = background(el);
	if (!bg) { unknown++; continue; }
	const fg = over(rgba(cs.color), bg);
	const cr = ratio(fg, bg);
	texts++;
	if (cr < minContrast) {
		problems.push('contrast ' + cr.toFixed(2) + ':1 < ' + minContrast + ':1 for ' + describe(el) + ' "' + own.slice(0, 40) + '" (text ' + hex(fg) + ' on ' + hex(bg) + ')');
	}
}
return {problems, texts, inputs, unknown};
})()`

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// mailLink returns the full URL of the first {baseURL}...{page}?token=
// link in the text part of m, as a person would click it.
func mailLink(t testing.TB, m smtpsink.Message, baseURL, page string) string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(baseURL) + `(/[A-Za-z0-9/_-]*)?` + regexp.QuoteMeta(page) + `\?token=[A-Za-z0-9_-]+`)
	link := re.FindString(m.Text)
	if link == "" {
		t.Fatalf("mail %q has no %s…%s?token= link:\n%s", m.Subject, baseURL, page, m.Text)
	}
	return link
}

// TestBrowserHarness checks the harness itself on a page made to fail:
// page scripts do not run in a flow's tab, what a page's CSP refuses is
// collected (capture reports it), the accessibility check finds
// each kind of problem it looks for (in the scheme where it occurs) and
// passes a clean page.
func TestBrowserHarness(t *testing.T) {
	const css = `body { background: #fff; color: #111; }
input, button { min-height: 24px; min-width: 24px; box-sizing: border-box; }
.tiny { min-height: 0; min-width: 0; height: 16px; width: 16px; padding: 0; }
.faint { color: #999; }
.veil { background: rgba(0, 0, 0, 0.7); color: #000; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); color: #fff; }
@media (prefers-color-scheme: dark) { body { background: #111; color: #eee; } .dim { color: #444; } }`
	const bad = `<!doctype html><html><head><meta charset="utf-8"><title>bad</title><link rel="stylesheet" href="/s.css"></head>
<body><h1 id="marker">no script ran</h1><h1>second</h1>
<script>document.getElementById("marker").textContent = "a script ran";</script>
<form><input id="nolabel" name="nolabel"><button class="tiny" type="button">x</button><label for="ok">OK</label><input id="ok" name="ok"><input aria-label="named" name="aria"></form>
<p class="faint">faint text</p><p class="dim">dim in the dark</p><div class="veil"><span>veiled</span></div>
<span class="sr-only">screen readers only</span><p style="color: #000">inline style</p></body></html>`
	const good = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>good</title><link rel="stylesheet" href="/s.css"></head>
<body><main><h1>Good</h1><form><label for="e">Email</label><input id="e" name="email" value="a@b.c"><button type="submit">Go</button></form></main></body></html>`
	mux := http.NewServeMux()
	mux.HandleFunc("/s.css", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, css)
	})
	for path, body := range map[string]string{"/bad": bad, "/good": good} {
		mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", "default-src 'self'")
			fmt.Fprint(w, body)
		})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	base := "http://" + ln.Addr().String()

	p := browserTab(t)
	p.open(base + "/bad")
	if got := p.text("#marker"); got != "no script ran" {
		t.Errorf("a page script ran in a flow's tab: #marker = %q", got)
	}
	// The CSP refuses the inline style; the tab collects the report.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		p.mu.Lock()
		refused := p.refused
		p.refused = nil
		p.mu.Unlock()
		if len(refused) > 0 {
			if !strings.Contains(strings.Join(refused, "\n"), "inline style") {
				t.Errorf("the CSP report does not name the inline style: %q", refused)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the tab collected no report of the inline style the page's CSP refused")
			break
		}
	}
	want := map[string][]string{
		"light": {"no lang", "2 h1 elements", "0 main landmarks", "button.tiny is 16×16 px", "input#nolabel has no label", `p.faint "faint text"`, `span "veiled"`},
		"dark":  {"no lang", "2 h1 elements", "0 main landmarks", "button.tiny is 16×16 px", "input#nolabel has no label", `p.dim "dim in the dark"`, `span "veiled"`},
	}
	for _, s := range colourSchemes {
		p.scheme(s)
		r := p.accessibility("the bad page")
		got := strings.Join(r.Problems, "\n")
		for _, w := range want[s] {
			if !strings.Contains(got, w) {
				t.Errorf("%s: the check did not report %q; it reported:\n%s", s, w, got)
			}
		}
		if len(r.Problems) != len(want[s]) {
			t.Errorf("%s: %d problems, want %d:\n%s", s, len(r.Problems), len(want[s]), got)
		}
		if r.Inputs != 3 {
			t.Errorf("%s: %d inputs checked, want 3", s, r.Inputs)
		}
	}
	p.scheme("light")
	p.open(base + "/good")
	p.capture("good")
	// fill replaces a field's value with JavaScript off.
	p.fill("#e", "someone@example.com")
	if v := eval[string](p, "value", `document.getElementById("e").value`); v != "someone@example.com" {
		t.Errorf("after fill the field holds %q", v)
	}
	if files, _ := filepath.Glob(filepath.Join(p.dir, "01-good-*.png")); len(files) != 4 {
		t.Errorf("capture wrote %d files, want 4 (light and dark, 1280 and 375 px): %v", len(files), files)
	}
	t.Logf("screenshots: %s", p.dir)
}
