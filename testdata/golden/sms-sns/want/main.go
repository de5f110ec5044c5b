// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Command app is a small web application with accounts: the JSON API that
// regstack generated under /api/auth, the sign-in and account pages under
// /account, and a home page. Configure it with
// regstack.toml, regstack.secrets.env and REGSTACK_* environment variables;
// ADDR sets the listen address (default 127.0.0.1:8000).
package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/config"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(logger); err != nil {
		logger.Error("app stopped", "err", err)
		os.Exit(1)
	}
}

func run(logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The logger hears config warnings too (a secrets file others can read).
	cfg, err := config.Load(config.LoadOptions{Logger: logger})
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	// New opens the database and applies its migrations.
	accounts, err := auth.New(ctx, cfg, auth.WithLogger(logger))
	if err != nil {
		return err
	}
	defer func() {
		if err := accounts.Close(); err != nil {
			logger.Error("close accounts", "err", err)
		}
	}()

	api := strings.TrimRight(cfg.APIPrefix, "/")
	mux := http.NewServeMux()
	mux.Handle(api+"/", accounts.Handler())
	if api != "" {
		mux.Handle(api, accounts.Handler())
	}
	// The sign-in and account pages, and their stylesheets. The emailed
	// links (email_link_prefix defaults to ui_prefix) open them too.
	pages, err := accounts.Pages()
	if err != nil {
		return err
	}
	mux.Handle(strings.TrimRight(cfg.UIPrefix, "/")+"/", pages)
	mux.Handle(strings.TrimRight(cfg.StaticPrefix, "/")+"/", pages)
	mux.Handle("GET /{$}", accounts.OptionalUser(homePage(cfg.AppName, api, strings.TrimRight(cfg.UIPrefix, "/"))))
	// Your own routes go here; wrap the ones that need a signed-in user:
	//   mux.Handle("GET /dashboard", accounts.RequireUser(dashboard))
	// and read the user inside with auth.UserFrom(r.Context()).

	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8000"
	}
	// Limits for a server that faces the internet: a client that sends its
	// headers slowly, or a huge header block, or holds an idle connection,
	// cannot tie up the server for long (bodies are capped by the account
	// system at max_body_bytes).
	srv := &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.ListenAndServe() }()
	logger.Info("listening", "url", "http://"+addr, "api", api)

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	stop() // a second Ctrl-C kills the process at once
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// homePage says whether the request is signed in and where the API and the
// account pages (under ui) are. The JSON API hands out bearer tokens, so a
// request is signed in when it carries one (curl -H "Authorization: Bearer
// ..."); the pages' cookie is theirs alone.
func homePage(appName, api, ui string) http.Handler {
	page := template.Must(template.New("home").Parse(homeHTML))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data := struct{ AppName, API, UI, Email string }{AppName: appName, API: api, UI: ui}
		if u, ok := auth.UserFrom(r.Context()); ok {
			data.Email = u.Email
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		if err := page.Execute(w, data); err != nil {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		}
	})
}

const homeHTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.AppName}}</title></head>
<body>
<h1>{{.AppName}}</h1>
{{if .Email}}<p>You are signed in as <strong>{{.Email}}</strong>.</p>
{{else}}<p>You are not signed in.</p>
{{end}}<p>In a browser: <a href="{{.UI}}/register">create an account</a>,
<a href="{{.UI}}/login">sign in</a>, or open <a href="{{.UI}}/me">your account</a>.</p>
<p>Use the JSON API under <code>{{.API}}</code>; signing in returns a bearer token,
which you send as <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<ul>
<li><code>POST {{.API}}/register</code> — create an account</li>
<li><code>POST {{.API}}/verify</code> — confirm the emailed link</li>
<li><code>POST {{.API}}/login</code> — sign in</li>
<li><code>GET {{.API}}/me</code> — who am I</li>
<li><code>POST {{.API}}/logout</code> — sign out</li>
</ul>
<p>Every route, with its request and response bodies:
<a href="{{.API}}/openapi.json">{{.API}}/openapi.json</a>.
Health: <a href="{{.API}}/health">{{.API}}/health</a>.</p>
</body>
</html>
`
