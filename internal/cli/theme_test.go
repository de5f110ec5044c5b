package cli

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regstack/regstack/internal/theme"
)

// themeFixture copies the theme package's fixture host (answers file,
// page templates, core.css and theme.css) into a temporary folder and
// returns it with the path of its theme file.
func themeFixture(t *testing.T) (dir, themePath string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../theme/testdata/host")); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(dir, "internal/auth/pages/static/theme.css")
}

func TestThemeHeadlessWrites(t *testing.T) {
	dir, p := themeFixture(t)
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", "theme", "design", "--headless", "--dir", dir,
		"--var", "--rs-accent=#0f766e", "--var", "dark:--rs-accent=#5eead4", "--var", "light:--rs-radius=12", "--var", "dark:--rs-shadow=")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r.stdout != "wrote internal/auth/pages/static/theme.css (16 light, 12 dark values)\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("stderr %q", r.stderr)
	}
	s := string(readFile(t, p))
	for _, want := range []string{"\n  --rs-accent: #0f766e;\n", "\n  --rs-radius: 12px;\n", "\n    --rs-accent: #5eead4;\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("file lacks %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "--rs-shadow:") != 1 {
		t.Errorf("dark:--rs-shadow= did not remove the dark value:\n%s", s)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", fi.Mode().Perm())
	}
	doc, err := theme.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Theme(); got.Light["--rs-accent"] != "#0f766e" || got.Dark["--rs-accent"] != "#5eead4" || got.Light["--rs-bg"] != "#ffffff" {
		t.Errorf("read back %+v", got)
	}
}

func TestThemeHeadlessWarnsLowContrast(t *testing.T) {
	dir, _ := themeFixture(t)
	r := runCLI(t, "", "theme", "design", "--headless", "--dir", dir, "--var", "--rs-accent=#dddddd")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	want := "warning: light primary button (--rs-accent-fg on --rs-accent): contrast 1.36:1, below WCAG AA (4.5:1)"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q lacks %q", r.stderr, want)
	}
}

func TestThemeDryRunWritesNothing(t *testing.T) {
	dir, p := themeFixture(t)
	before := readFile(t, p)
	r := runCLI(t, "", "theme", "design", "--dry-run", "--dir", dir, "--var", "--rs-accent=#0f766e")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "  --rs-accent: #0f766e;\n") || !strings.HasPrefix(r.stdout, "/*") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if !bytes.Equal(readFile(t, p), before) {
		t.Error("--dry-run changed the file")
	}
	// Without a theme file, --dry-run shows the defaults and creates none.
	os.Remove(p)
	r = runCLI(t, "", "theme", "design", "--dry-run", "--dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "--rs-accent: #2563eb;") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(p); err == nil {
		t.Error("--dry-run created the file")
	}
}

func TestThemeUsageErrors(t *testing.T) {
	dir, p := themeFixture(t)
	before := readFile(t, p)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--headless", "--var", "--rs-accent=blue"}, `--rs-accent: "blue" is not a colour`},
		{[]string{"--headless", "--var", "dark:--rs-bg=#12"}, `dark --rs-bg: "#12" is not a colour`},
		{[]string{"--headless", "--var", "--rs-radius=wide"}, `--rs-radius: "wide" is not a length`},
		{[]string{"--headless", "--var", "--rs-font-body=Inter; } body { display: none"}, `--rs-font-body: not a valid font list`},
		{[]string{"--headless", "--var", "--rs-font-body=" + strings.Repeat("x", 201)}, `--rs-font-body: not a valid font list: 201 characters`},
		{[]string{"--headless", "--var", "--rs-nope=#fff"}, `unknown variable --rs-nope`},
		{[]string{"--headless", "--var", "--rs-accent"}, `want [light:|dark:]NAME=VALUE`},
		{[]string{"--headless", "--var", "--rs-accent="}, `--rs-accent needs a value`},
		{[]string{"--var", "--rs-accent=#000"}, `add --headless`},
		{[]string{"--headless", "--package", "../x"}, `--package`},
		{[]string{"--port", "70000"}, `not a port number`},
		{[]string{"--nope"}, `unknown flag`},
		{[]string{"extra"}, `unknown command "extra"`},
	} {
		r := runCLI(t, "", append([]string{"theme", "design", "--dir", dir}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	// Every bad value at once, each named.
	r := runCLI(t, "", "theme", "design", "--dir", dir, "--headless", "--var", "--rs-accent=blue", "--var", "--rs-radius=x")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--rs-accent:") || !strings.Contains(r.stderr, "--rs-radius:") || !strings.Contains(r.stderr, "nothing was written") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !bytes.Equal(readFile(t, p), before) {
		t.Error("a refused run changed the file")
	}
	if r := runCLI(t, "", "theme", "nope"); r.code != exitUsage {
		t.Errorf("theme nope: exit %d", r.code)
	}
}

func TestThemeWithoutPages(t *testing.T) {
	dir, _ := themeFixture(t)
	if err := os.RemoveAll(filepath.Join(dir, "internal/auth/pages")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--no-open"}, {"--headless", "--var", "--rs-accent=#000000"}} {
		r := runCLI(t, "", append([]string{"theme", "design", "--dir", dir}, args...)...)
		if r.code != exitError || !strings.Contains(r.stderr, "features.pages=true") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	// A folder that is no generated host must say how to name the package.
	r := runCLI(t, "", "theme", "design", "--dir", t.TempDir(), "--headless")
	if r.code != exitError || !strings.Contains(r.stderr, "pass --package") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestThemeFileFlagAndManifestFallback(t *testing.T) {
	dir, _ := themeFixture(t)
	// The package found through the manifest when answers.toml is gone.
	os.Remove(filepath.Join(dir, ".regstack/answers.toml"))
	man := `{"format": 1, "generator": "v0", "answers": {"app_name": "M", "module": "example.com/m", "base_url": "http://x", "package_dir": "internal/auth", "backend": "sqlite", "features": {}}, "files": []}`
	if err := os.WriteFile(filepath.Join(dir, ".regstack/manifest.json"), []byte(man), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", "theme", "design", "--dir", dir, "--headless", "--var", "--rs-accent=#000000")
	if r.code != 0 || !strings.Contains(r.stdout, "internal/auth/pages/static/theme.css") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	other := filepath.Join(t.TempDir(), "mine.css")
	r = runCLI(t, "", "theme", "design", "--dir", dir, "--headless", "--file", other, "--var", "--rs-accent=#0f766e")
	if r.code != 0 || !strings.Contains(string(readFile(t, other)), "--rs-accent: #0f766e;") {
		t.Errorf("--file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestThemeDesignerOnGeneratedHost generates a real host (pages are on by
// default for a starter) and previews its own templates: the contract of
// docs/pages.md between the generated templates and the designer.
func TestThemeDesignerOnGeneratedHost(t *testing.T) {
	dir := t.TempDir()
	mustGen(t, "--yes", "--no-tidy", "--dir", dir)
	pkg := filepath.Join(dir, "internal/auth")
	if ok, err := theme.HasPages(pkg); err != nil || !ok {
		t.Fatalf("a starter generated with --yes has no page templates (%v)", err)
	}
	themePath := filepath.Join(theme.StaticDir(pkg), "theme.css")
	orig := readFile(t, themePath)
	doc, err := theme.Parse(orig)
	if err != nil {
		t.Fatalf("the generated theme.css does not parse: %v", err)
	}
	// gen's theme.css and the designer's table agree on every default.
	got, want := doc.Theme(), theme.Defaults()
	for _, s := range []theme.Scheme{theme.Light, theme.Dark} {
		g, w := got.Light, want.Light
		if s == theme.Dark {
			g, w = got.Dark, want.Dark
		}
		for name, v := range w {
			if g[name] != v {
				t.Errorf("%s %s: generated %q, designer default %q", s, name, g[name], v)
			}
		}
		for name := range g {
			if _, ok := w[name]; !ok {
				t.Errorf("%s %s: generated but not a designer default", s, name)
			}
		}
	}
	// Saving the defaults leaves gen's file byte for byte.
	if out := doc.Render(theme.Current(doc)); !bytes.Equal(out, orig) {
		t.Errorf("re-rendering the generated theme changed it:\n%s", out)
	}

	d, err := theme.New(theme.Options{
		ThemePath: themePath,
		CoreCSS:   filepath.Join(theme.StaticDir(pkg), "core.css"),
		Preview:   theme.HostPages{Dir: theme.TemplatesDir(pkg), AppName: "Demo"},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	for _, page := range []string{"login", "register", "me"} {
		res, body := httpGet(t, srv.URL+"/"+d.Token()+"/preview/"+page)
		if res != 200 {
			t.Errorf("preview %s = %d:\n%s", page, res, body)
			continue
		}
		for _, want := range []string{"/" + d.Token() + "/preview/core.css", "/" + d.Token() + "/preview/theme.css?scheme=light", "<h1", `class="rs-btn rs-btn-primary"`} {
			if !strings.Contains(body, want) {
				t.Errorf("preview %s lacks %s:\n%s", page, want, body)
			}
		}
	}
	res, body := httpGet(t, srv.URL+"/"+d.Token()+"/preview/core.css")
	if res != 200 || !strings.Contains(body, "var(--rs-accent)") {
		t.Errorf("core.css = %d", res)
	}

	// And headless on the real host.
	r := runCLI(t, "", "theme", "design", "--headless", "--dir", dir, "--var", "--rs-accent=#0f766e")
	if r.code != 0 || !strings.Contains(string(readFile(t, themePath)), "--rs-accent: #0f766e;") {
		t.Errorf("headless on a generated host: exit %d\n%s", r.code, r.stderr)
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// TestThemeDesignerServesUntilDone runs the command as an operator would
// (without a browser), reads the printed URL, checks the token guard, saves
// through the API and stops the designer with the page's Done button.
func TestThemeDesignerServesUntilDone(t *testing.T) {
	dir, p := themeFixture(t)
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run([]string{"theme", "design", "--dir", dir, "--no-open"}, strings.NewReader(""), pw, &stderr)
		pw.Close()
	}()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var url string
	select {
	case l := <-lines:
		var ok bool
		if url, ok = strings.CutPrefix(l, "Designer URL: "); !ok {
			t.Fatalf("first line %q", l)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no URL printed")
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
		t.Fatalf("URL %q", url)
	}
	host, _, _ := strings.Cut(strings.TrimPrefix(url, "http://"), "/")
	if code, _ := httpGet(t, "http://"+host+"/api/state"); code != http.StatusForbidden {
		t.Errorf("without the token: %d", code)
	}
	if code, body := httpGet(t, url+"preview/login"); code != http.StatusOK || !strings.Contains(body, "Sign in") {
		t.Errorf("preview: %d\n%s", code, body)
	}
	res, err := http.Post(url+"api/save", "application/json", strings.NewReader(`{"light":{"--rs-accent":"#0f766e"},"dark":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(readFile(t, p)), "--rs-accent: #0f766e;") {
		t.Errorf("save: %d", res.StatusCode)
	}
	res, err = http.Post(url+"api/done", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var rest []string
	for l := range lines {
		rest = append(rest, l)
	}
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit %d: %s", c, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the designer did not stop")
	}
	if got := strings.Join(rest, "\n"); !strings.HasSuffix(got, "designer stopped") {
		t.Errorf("output after the URL:\n%s", got)
	}
}
