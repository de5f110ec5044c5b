package e2e

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/regstack/regstack/e2e/internal/proc"
)

// TestBrowserThemeDesigner runs `regstack theme design --no-open` on a copy
// of the defaults host and drives it in Chromium (page scripts on: the
// designer is a script page): a request without the URL's token is refused,
// typing a new --rs-accent recolours the primary button of the login
// preview (its computed background), Save rewrites the host's theme.css
// with the new value, and Done stops the command cleanly.
func TestBrowserThemeDesigner(t *testing.T) {
	host := filepath.Join(t.TempDir(), "host")
	if err := os.CopyFS(host, os.DirFS(defaultsHost(t, "sqlite"))); err != nil {
		t.Fatal(err)
	}
	themes, _ := filepath.Glob(filepath.Join(host, "internal", "*", "pages", "static", "theme.css"))
	if len(themes) != 1 {
		t.Fatalf("want one <package>/pages/static/theme.css in the defaults host, found %v", themes)
	}
	themePath := themes[0]
	before, err := os.ReadFile(themePath)
	if err != nil {
		t.Fatal(err)
	}

	d := startDesigner(t, host)
	p := openTab(t, true)
	start := time.Now()

	// The token in the URL is the only way in.
	u := strings.TrimSuffix(d.url, "/")
	base := u[:strings.LastIndex(u, "/")]
	for _, bad := range []string{base + "/", base + "/not-the-token/", base + "/api/state"} {
		resp, err := http.Get(bad)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s (without the token): %d, want 403", bad, resp.StatusCode)
		}
	}

	if status := p.open(d.url); status != http.StatusOK {
		t.Fatalf("GET the designer: %d, want 200", status)
	}
	poll[bool](p, "the designer's script is ready", `document.body.dataset.ready === "true"`)
	const button = `(() => {
		const doc = document.getElementById("preview-login")?.contentDocument;
		const b = doc && doc.querySelector(".rs-btn-primary, button[type=submit]");
		return b ? getComputedStyle(b).backgroundColor : "";
	})()`
	was := poll[string](p, "the login preview's button", button)
	p.screenshot("designer")
	if os.Getenv("E2E_UPDATE_DOC_IMAGES") != "" {
		p.copyDocImage("01-designer.png", "theme-designer.png") // shown in docs/theming.md
	}
	accent := "#7c2d12"
	want := "rgb(124, 45, 18)"
	if was == want {
		accent, want = "#1e3a8a", "rgb(30, 58, 138)"
	}
	p.fill("#input--rs-accent", accent)
	got := poll[string](p, "the preview's button to take the new accent",
		`(() => { const c = `+button+`; return c === `+jsString(want)+` ? c : ""; })()`)
	t.Logf("--rs-accent %s: the preview's button went from %s to %s", accent, was, got)
	p.screenshot("designer-changed")

	p.do("save", chromedp.Click(chromedp.ID("save"), chromedp.NodeVisible))
	status := poll[string](p, "the save to finish",
		`(() => { const s = document.getElementById("status"); return s.dataset.tone === "ok" || s.dataset.tone === "error" ? s.dataset.tone + ": " + s.textContent : ""; })()`)
	if !strings.HasPrefix(status, "ok") {
		t.Fatalf("save: %s", status)
	}
	after, err := os.ReadFile(themePath)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) == string(before) {
		t.Fatalf("Save left %s unchanged", themePath)
	}
	if !regexp.MustCompile(`--rs-accent:\s*` + regexp.QuoteMeta(accent) + `\s*;`).Match(after) {
		t.Errorf("%s after Save has no --rs-accent: %s:\n%s", themePath, accent, after)
	}

	p.do("done", chromedp.Click(chromedp.ID("done"), chromedp.NodeVisible))
	select {
	case <-d.exited:
		if d.err != nil {
			t.Errorf("regstack theme design after Done: %v\n%s", d.err, d.output.String())
		}
	case <-time.After(10 * time.Second):
		t.Errorf("regstack theme design still runs 10 s after Done:\n%s", d.output.String())
	}
	t.Logf("designer flow (token refusals, load, recolour, save, done): %s", time.Since(start).Round(time.Millisecond))
}

// designer is a running `regstack theme design`.
type designer struct {
	url    string
	output *proc.Output
	exited chan struct{}
	err    error // valid once exited is closed
}

// startDesigner starts `regstack theme design --dir host --no-open` and
// waits for the URL it prints ("Designer URL: ..."). It is killed at
// cleanup if still running.
func startDesigner(t *testing.T, host string) *designer {
	t.Helper()
	cmd := exec.Command(regstack(t), "theme", "design", "--dir", host, "--no-open")
	cmd.Env = childEnv()
	d := &designer{output: &proc.Output{}, exited: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = d.output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			d.output.Write([]byte(line + "\n"))
			if rest, ok := strings.CutPrefix(line, "Designer URL: "); ok {
				select {
				case urls <- strings.TrimSpace(rest):
				default:
				}
			}
		}
		d.err = cmd.Wait()
		close(d.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			cmd.Process.Kill()
			<-d.exited
		}
	})
	select {
	case d.url = <-urls:
	case <-d.exited:
		t.Fatalf("regstack theme design exited before printing its URL: %v\n%s", d.err, d.output.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("regstack theme design printed no URL within 30 s:\n%s", d.output.String())
	}
	return d
}

// poll waits (in the page, with its scripts on) until expr is truthy and
// returns its value.
func poll[T any](p *tab, what, expr string) T {
	p.t.Helper()
	var v T
	p.call("wait for "+what, func(ctx context.Context) (err error) {
		v, err = chromedp.Run(ctx, chromedp.Poll[T](expr,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
		return err
	})
	return v
}
