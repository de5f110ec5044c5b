// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"example.com/demo/internal/auth/mail"
	"example.com/demo/internal/auth/password"
	"example.com/demo/internal/auth/sms"
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

// Option customises New. New refuses a nil Option, a nil value (WithClock(nil),
// say) and an option given twice (all but WithEventHandler, which adds one
// handler each time): each is a mistake that would otherwise go unnoticed
// until the wrong clock, mailer or store is used.
type Option interface {
	apply(*options) error
}

// optionFunc is an Option made of a function.
type optionFunc func(*options) error

func (f optionFunc) apply(o *options) error { return f(o) }

type options struct {
	clock     Clock
	mailer    mail.Sender
	sms       sms.Sender
	logger    *slog.Logger
	handlers  []EventHandler
	templates fs.FS
	store     store.Store
	hasher    *password.Hasher
}

// set is the body of every option that sets one value: it refuses a nil
// value and a second setting of the same option.
func set[T comparable](name string, field *T, v T) error {
	var zero T
	if v == zero {
		return fmt.Errorf("auth: %s: nil value", name)
	}
	if *field != zero {
		return fmt.Errorf("auth: %s given more than once", name)
	}
	*field = v
	return nil
}

// applyOptions builds the options from opts, then fills in the defaults of
// those not given.
func applyOptions(opts []Option) (options, error) {
	var o options
	for _, opt := range opts {
		if opt == nil {
			return options{}, errors.New("auth: nil Option")
		}
		if err := opt.apply(&o); err != nil {
			return options{}, err
		}
	}
	if o.clock == nil {
		o.clock = systemClock{}
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return o, nil
}

// WithClock replaces the wall clock (tests use a controllable one).
func WithClock(c Clock) Option {
	return optionFunc(func(o *options) error { return set("WithClock", &o.clock, c) })
}

// WithMailer replaces the sender built from the [email] configuration.
func WithMailer(s mail.Sender) Option {
	return optionFunc(func(o *options) error { return set("WithMailer", &o.mailer, s) })
}

// WithSMSSender replaces the sender built from the [sms] configuration
// (tests record the codes with authtest.Phones).
func WithSMSSender(s sms.Sender) Option {
	return optionFunc(func(o *options) error { return set("WithSMSSender", &o.sms, s) })
}

// WithLogger sets the logger; the default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) error { return set("WithLogger", &o.logger, l) })
}

// WithEventHandler subscribes h to every event. It may be given several
// times; handlers run in the order given, synchronously, after the state
// change and before the response is written.
func WithEventHandler(h EventHandler) Option {
	return optionFunc(func(o *options) error {
		if h == nil {
			return errors.New("auth: WithEventHandler: nil value")
		}
		o.handlers = append(o.handlers, h)
		return nil
	})
}

// WithMailTemplates overrides email templates: a file in fsys with the name
// of a built-in template replaces it.
func WithMailTemplates(fsys fs.FS) Option {
	return optionFunc(func(o *options) error { return set("WithMailTemplates", &o.templates, fsys) })
}

// WithStore uses s instead of opening cfg.DatabaseURL. The caller keeps
// ownership: Close does not close it.
func WithStore(s store.Store) Option {
	return optionFunc(func(o *options) error { return set("WithStore", &o.store, s) })
}

// WithPasswordHasher replaces the hasher built from the password_hash_*
// configuration (for example to share one concurrency limit between two
// account systems in one process).
func WithPasswordHasher(h *password.Hasher) Option {
	return optionFunc(func(o *options) error { return set("WithPasswordHasher", &o.hasher, h) })
}
