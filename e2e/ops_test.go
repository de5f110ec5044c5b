package e2e

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// opsTimeout bounds one operator command: the first one builds the host's
// operator program (the SQLite driver is usually in the build cache by
// then, from the scenario builds).
const opsTimeout = 10 * time.Minute

// TestOperatorCommands drives `regstack migrate`, `create-admin`, `doctor`
// and `init` as an operator would, against a freshly generated host on each
// backend, and checks their effect through the live app.
func TestOperatorCommands(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) { operatorCommands(t, backend) })
	}
	t.Run("init", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "config-only")
		out := ops(t, dir, nil, "", 0, "init", "--yes", "--dir", dir)
		if !strings.Contains(out, "wrote "+filepath.Join(dir, "regstack.toml")) {
			t.Errorf("init output:\n%s", out)
		}
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) != 2 {
			t.Fatalf("init wrote %v (%v), want regstack.toml and regstack.secrets.env only", entries, err)
		}
		// The same answers give the same regstack.toml as gen.
		gendir := filepath.Join(t.TempDir(), "host")
		gen(t, gendir, "--yes", "--no-tidy")
		got, _ := os.ReadFile(filepath.Join(dir, "regstack.toml"))
		want, _ := os.ReadFile(filepath.Join(gendir, "regstack.toml"))
		if len(want) == 0 || !bytes.Equal(got, want) {
			t.Errorf("init's regstack.toml differs from gen's")
		}
		if fi, err := os.Stat(filepath.Join(dir, "regstack.secrets.env")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("secrets file: %v", err)
		}
		ops(t, dir, nil, "", 1, "init", "--yes", "--dir", dir) // refuses to overwrite
	})
}

func operatorCommands(t *testing.T, backend string) {
	dir := filepath.Join(t.TempDir(), "host")
	gen(t, dir, "--yes", "--backend", backend)
	dbURL := databaseURL(t, backend)
	env := []string{"REGSTACK_DATABASE_URL=" + dbURL}

	// migrate: status on a fresh database, up, down, up again.
	out := ops(t, dir, env, "", 0, "migrate", "status")
	if !strings.Contains(out, "pending") {
		t.Errorf("migrate status on a fresh database:\n%s", out)
	}
	out = ops(t, dir, env, "", 0, "migrate", "up")
	if !strings.Contains(out, "applied") || !strings.Contains(out, "up to date") {
		t.Errorf("migrate up:\n%s", out)
	}
	if backend != "mongo" { // MongoDB index steps are not undone
		out = ops(t, dir, env, "", 0, "migrate", "down")
		if !strings.Contains(out, "rolled back") || !strings.Contains(out, "pending") {
			t.Errorf("migrate down:\n%s", out)
		}
		ops(t, dir, env, "", 0, "migrate", "up")
	}
	out = ops(t, dir, env, "", 0, "migrate", "status")
	if !strings.Contains(out, "up to date") {
		t.Errorf("migrate status after up:\n%s", out)
	}
	checkNoPassword(t, out, dbURL)

	// create-admin: two new admins, an existing user promoted, an admin
	// left alone.
	const adminPass, opsPass, bobPass = "admin-password-1", "ops-password-1", "bob-password-1"
	if out := ops(t, dir, env, adminPass+"\n", 0, "create-admin", "--email", "admin@example.com"); !strings.HasPrefix(out, "created admin admin@example.com") {
		t.Errorf("create-admin admin@:\n%s", out)
	}
	if out := ops(t, dir, env, opsPass+"\n", 0, "create-admin", "--email", "ops@example.com"); !strings.HasPrefix(out, "created admin ops@example.com") {
		t.Errorf("create-admin ops@:\n%s", out)
	}
	ops(t, dir, env, "short\n", 2, "create-admin", "--email", "weak@example.com")

	bin := filepath.Join(t.TempDir(), "app")
	mustRun(t, dir, buildTimeout, "go", "build", "-o", bin, ".")
	sink := startSink(t)
	app := startApp(t, bin, dir, appEnv(t, sink, backend, append(env, "REGSTACK_REQUIRE_VERIFICATION=false")...))
	if r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": "bob@example.com", "password": bobPass}); r.Status != http.StatusCreated {
		t.Fatalf("register bob: %s", r)
	}
	if out := ops(t, dir, env, "", 0, "create-admin", "--email", "Bob@Example.com"); !strings.HasPrefix(out, "promoted bob@example.com to admin") {
		t.Errorf("create-admin for an existing user:\n%s", out)
	}
	if out := ops(t, dir, env, adminPass+"\n", 0, "create-admin", "--email", "admin@example.com"); !strings.Contains(out, "already an admin") {
		t.Errorf("create-admin for an admin:\n%s", out)
	}

	// Bob kept his password and is now a superuser; the created admin can
	// sign in and use the admin API.
	bob := login(t, app, "bob@example.com", bobPass)
	if r := app.Do(t, "GET", apiPrefix+"/me", bob, nil); r.JSON()["is_superuser"] != true {
		t.Errorf("bob after promotion: %s", r)
	}
	admin := login(t, app, "admin@example.com", adminPass)
	me := app.Do(t, "GET", apiPrefix+"/me", admin, nil)
	if me.JSON()["is_superuser"] != true || me.JSON()["is_verified"] != true || me.JSON()["is_active"] != true {
		t.Errorf("the created admin: %s", me)
	}
	if _, err := os.Stat(filepath.Join(dir, pkgDir, "admin.go")); err == nil {
		if r := app.Do(t, "GET", apiPrefix+"/admin/stats", admin, nil); r.Status != http.StatusOK {
			t.Errorf("GET /admin/stats as the created admin: %s", r)
		}
	}

	// doctor: healthy, then an edited file is listed, then a broken secret
	// fails.
	out = ops(t, dir, env, "", 0, "doctor")
	for _, want := range []string{"✔ jwt secret", "✔ database", "✔ schema", "✔ email backend", "✔ generated files: none of", "✔ generator updates: none"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor on a healthy host lacks %q:\n%s", want, out)
		}
	}
	loginFile := filepath.Join(dir, pkgDir, "login.go")
	src, err := os.ReadFile(loginFile)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, loginFile, string(src)+"\n// A local change the host made.\n")
	if out := ops(t, dir, env, "", 0, "doctor"); !strings.Contains(out, pkgDir+"/login.go (modified)") {
		t.Errorf("doctor after editing login.go:\n%s", out)
	}
	writeFile(t, filepath.Join(dir, "regstack.secrets.env"), "REGSTACK_JWT_SECRET=too-short\n")
	if out := ops(t, dir, env, "", -1, "doctor"); !strings.Contains(out, "✘ jwt secret: too short") {
		t.Errorf("doctor with a short secret:\n%s", out)
	}
}

// ops runs the regstack binary in dir with stdin and extra environment and
// checks its exit status: want ≥ 0 exactly, -1 any failure.
func ops(t *testing.T, dir string, env []string, stdin string, want int, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opsTimeout)
	defer cancel()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, regstack(t), args...)
	cmd.Dir = dir
	// The operator programs are built into the user cache; keep this run's
	// in its scratch folder, with the go build cache where it was.
	cmd.Env = childEnv(append([]string{"XDG_CACHE_HOME=" + filepath.Join(fx.work, "cache"), "GOCACHE=" + goCache(t)}, env...)...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("regstack %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if (want >= 0 && code != want) || (want < 0 && code == 0) {
		t.Fatalf("regstack %s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, tail(string(out), 80))
	}
	t.Logf("regstack %s: exit %d in %s", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
	return string(out)
}

// checkNoPassword fails if out shows the password of dbURL.
func checkNoPassword(t *testing.T, out, dbURL string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil || u.User == nil {
		return
	}
	if pass, ok := u.User.Password(); ok && pass != "" && strings.Contains(out, pass) {
		t.Errorf("the output shows the database password:\n%s", out)
	}
}

// goCache is the go command's build cache, which must stay put when
// XDG_CACHE_HOME moves.
func goCache(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("go env GOCACHE: %v", err)
	}
	return strings.TrimSpace(string(out))
}
