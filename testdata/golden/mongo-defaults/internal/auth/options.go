// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"io/fs"
	"log/slog"
	"time"

	"example.com/demo/internal/auth/mail"
	"example.com/demo/internal/auth/password"
	"example.com/demo/internal/auth/store"
)

// Clock tells the account system what time it is. Every time-dependent step
// (token expiry, lockout windows, revocation cutoffs) reads it, so tests can
// move time instead of sleeping.
type Clock interface {
	Now() time.Time
}

// systemClock is the wall clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Option customises New.
type Option func(*options)

type options struct {
	clock     Clock
	mailer    mail.Sender
	logger    *slog.Logger
	handlers  []EventHandler
	templates fs.FS
	store     store.Store
	hasher    *password.Hasher
}

// WithClock replaces the wall clock (tests use a controllable one).
func WithClock(c Clock) Option {
	return func(o *options) { o.clock = c }
}

// WithMailer replaces the sender built from the [email] configuration.
func WithMailer(s mail.Sender) Option {
	return func(o *options) { o.mailer = s }
}

// WithLogger sets the logger; the default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithEventHandler subscribes h to every event. It may be given several
// times; handlers run in the order given, synchronously, after the state
// change and before the response is written.
func WithEventHandler(h EventHandler) Option {
	return func(o *options) { o.handlers = append(o.handlers, h) }
}

// WithMailTemplates overrides email templates: a file in fsys with the name
// of a built-in template replaces it.
func WithMailTemplates(fsys fs.FS) Option {
	return func(o *options) { o.templates = fsys }
}

// WithStore uses s instead of opening cfg.DatabaseURL. The caller keeps
// ownership: Close does not close it.
func WithStore(s store.Store) Option {
	return func(o *options) { o.store = s }
}

// WithPasswordHasher replaces the hasher built from the password_hash_*
// configuration (for example to share one concurrency limit between two
// account systems in one process).
func WithPasswordHasher(h *password.Hasher) Option {
	return func(o *options) { o.hasher = h }
}
