// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/emailaddr"
	"example.com/demo/internal/auth/mail"
	"example.com/demo/internal/auth/store"
)

// Time limits of the checks that talk to other machines.
const (
	databaseTimeout = 10 * time.Second
	dnsTimeout      = 5 * time.Second
	sendTimeout     = 30 * time.Second
	// A first purge of tables that grew for months may take a while.
	purgeTimeout = 10 * time.Minute
)

// result is one line of the doctor's report.
type result struct {
	name   string
	ok     bool
	detail string
}

func pass(name, format string, args ...any) result {
	return result{name: name, ok: true, detail: fmt.Sprintf(format, args...)}
}

func fail(name, format string, args ...any) result {
	return result{name: name, detail: fmt.Sprintf(format, args...)}
}

func (r result) String() string {
	mark := "✘"
	if r.ok {
		mark = "✔"
	}
	return fmt.Sprintf("%s %s: %s", mark, r.name, r.detail)
}

// doctor checks a deployment and prints one line per check. It only reads:
// it never applies a migration or writes a row, except that -purge deletes
// the expired rows the application's background purge would. The exit
// status is the number of failed checks.
func doctor(ctx context.Context, args []string, e *env) int {
	fs := newFlagSet("doctor", e)
	var cf configFlags
	cf.register(fs)
	checkDNS := fs.Bool("check-dns", false, "check the MX, SPF and DMARC records of the sender's domain")
	dnsServer := fs.String("dns-server", "", "ask this DNS server (`host:port`) instead of the system's resolver")
	sendTo := fs.String("send-test-email", "", "send a probe email to `address` through the configured backend")
	summaryLine := fs.Bool("summary", true, "print the number of failed checks to standard error")
	purge := fs.Bool("purge", false, "delete expired rows now, as the application's background purge does, and print how many")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	if len(positional) > 0 {
		fmt.Fprintln(e.stderr, "authctl doctor: no arguments are accepted")
		return exitUsage
	}
	if *sendTo != "" {
		if _, err := emailaddr.Normalize(*sendTo); err != nil {
			fmt.Fprintf(e.stderr, "authctl doctor: -send-test-email %q: %v\n", *sendTo, err)
			return exitUsage
		}
	}

	failed := 0
	report := func(r result) {
		if !r.ok {
			failed++
		}
		fmt.Fprintln(e.stdout, r)
	}
	cfg, err := config.Read(cf.options(e))
	if err != nil {
		report(fail("config", "%v", err))
	} else {
		results := diagnose(ctx, cfg, *sendTo, e)
		for _, r := range results {
			report(r)
		}
		if *purge {
			report(purgeNow(ctx, cfg, passed(results, "database") && passed(results, "schema"), e))
		}
		if *checkDNS {
			res := e.resolver
			if res == nil {
				res = newResolver(*dnsServer)
			}
			for _, r := range checkMailDNS(ctx, res, cfg.Email.FromAddress) {
				report(r)
			}
		}
	}
	if failed > 0 && *summaryLine {
		fmt.Fprintf(e.stderr, "\n%d check(s) failed.\n", failed)
	}
	return min(failed, 125)
}

// diagnose runs the checks that need only the configuration: settings,
// secret, database, schema, email backend and, if sendTo is set, a probe
// email.
func diagnose(ctx context.Context, cfg config.Config, sendTo string, e *env) []result {
	var out []result

	// Every setting but the secret, which has a check of its own.
	withSecret := cfg
	withSecret.JWTSecret = standInSecret()
	if err := withSecret.Validate(); err != nil {
		out = append(out, fail("config", "%s", strings.ReplaceAll(err.Error(), "\n", "; ")))
	} else {
		out = append(out, pass("config", "every setting is valid"))
	}

	switch n := len(cfg.JWTSecret); {
	case n == 0:
		out = append(out, fail("jwt secret", "missing: set REGSTACK_JWT_SECRET in regstack.secrets.env (`regstack init` writes one)"))
	case n < config.MinSecretBytes:
		out = append(out, fail("jwt secret", "too short (%d bytes; need at least %d)", n, config.MinSecretBytes))
	default:
		if err := config.CheckJWTSecret(cfg.JWTSecret); err != nil {
			out = append(out, fail("jwt secret", "%v", err))
		} else {
			out = append(out, pass("jwt secret", "present (%d bytes)", n))
		}
	}

	out = append(out, checkDatabase(ctx, cfg)...)

	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	sender, err := mail.NewSender(cfg.Email, logger)
	if err != nil {
		out = append(out, fail("email backend", "%q cannot be used: %v", cfg.Email.Backend, err))
		return out
	}
	out = append(out, pass("email backend", "%s", describeSender(sender)))

	if sendTo != "" {
		ctx, cancel := context.WithTimeout(ctx, sendTimeout)
		defer cancel()
		msg := mail.Message{
			From:    cfg.FromHeader(),
			To:      sendTo,
			Subject: fmt.Sprintf("[%s] regstack doctor probe", cfg.AppName),
			Text:    "regstack doctor probe: if you can read this, your email backend works.\n",
		}
		if err := sender.Send(ctx, msg); err != nil {
			out = append(out, fail("email send", "send failed: %v", err))
		} else {
			out = append(out, pass("email send", "probe delivered to %s via %s", sendTo, cfg.Email.Backend))
		}
	}
	return out
}

// standInSecret is a random secret for the checks that need a valid
// configuration but sign nothing, so they run (and report on everything
// else) whatever the configured secret is; that one has a check of its own.
func standInSecret() string {
	return rand.Text() + rand.Text()
}

// passed reports whether the check named name ran and passed.
func passed(results []result, name string) bool {
	for _, r := range results {
		if r.name == name {
			return r.ok
		}
	}
	return false
}

// purgeNow deletes the expired rows once, through the application's own
// (*auth.Auth).PurgeExpired, and says how many it deleted. It needs the
// database to answer and its schema to be up to date: doctor never applies
// a migration, and the purge expects the latest tables.
func purgeNow(ctx context.Context, cfg config.Config, ready bool, e *env) result {
	if !ready {
		return fail("purge", "not run: the database must be reachable and its schema up to date (see above)")
	}
	ctx, cancel := context.WithTimeout(ctx, purgeTimeout)
	defer cancel()
	// This short-lived Auth starts no background purge, and it signs
	// nothing, so the deployment's own secret is not needed.
	cfg.PurgeIntervalSeconds = 0
	cfg.JWTSecret = standInSecret()
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := auth.New(ctx, cfg, append([]auth.Option{auth.WithLogger(logger)}, e.authOptions...)...)
	if err != nil {
		return fail("purge", "not run: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	defer a.Close()
	n, err := a.PurgeExpired(ctx)
	if err != nil {
		return fail("purge", "%v", err)
	}
	return pass("purge", "deleted %d expired row(s) (pending registrations, account tokens, revoked tokens, old attempt counts)", n)
}

// checkDatabase reports whether the database answers and whether every
// migration this code carries is applied, without applying any.
func checkDatabase(ctx context.Context, cfg config.Config) []result {
	databaseURL := cfg.DatabaseURL
	if databaseURL == "" {
		return []result{fail("database", "database_url is not set"), fail("schema", "not checked: no database")}
	}
	ctx, cancel := context.WithTimeout(ctx, databaseTimeout)
	defer cancel()
	kind, where := backendName(databaseURL), redactURL(databaseURL)
	unreachable := func(err error) []result {
		return []result{
			fail("database", "%s unreachable (%s): %v", kind, where, err),
			fail("schema", "not checked: the database is unreachable"),
		}
	}
	m, err := auth.OpenMigrator(ctx, cfg)
	if err != nil {
		return unreachable(err)
	}
	defer m.Close()
	steps, err := m.Status(ctx)
	if err != nil {
		return unreachable(err)
	}
	return []result{pass("database", "%s reachable (%s)", kind, where), schemaResult(steps)}
}

func schemaResult(steps []store.Migration) result {
	var pending []string
	for _, s := range steps {
		if !s.Applied {
			pending = append(pending, s.Name)
		}
	}
	switch {
	case len(steps) == 0:
		return pass("schema", "no migrations to apply")
	case len(pending) > 0:
		return fail("schema", "%d of %d migrations pending (%s): run `regstack migrate`",
			len(pending), len(steps), strings.Join(pending, ", "))
	}
	last := steps[len(steps)-1]
	return pass("schema", "at the latest migration (%s, version %d)", last.Name, last.Version)
}

// describeSender says where mail goes, without any credential.
func describeSender(s mail.Sender) string {
	switch s := s.(type) {
	case *mail.Console:
		return "console: emails are written to the log, not sent"
	case *mail.SMTP:
		tls := "plain"
		if s.StartTLS {
			tls = "STARTTLS"
		}
		return fmt.Sprintf("smtp via %s:%d (%s)", s.Host, s.Port, tls)
	}
	return fmt.Sprintf("%T", s)
}
