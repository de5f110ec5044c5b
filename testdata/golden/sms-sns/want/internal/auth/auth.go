// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package auth is the account system of this application: registration with
// email verification, sign-in with bearer tokens, sign-out, profile, change
// of password and email address, and the optional flows chosen when it was
// generated (routes.go lists them), served as a JSON API under the
// configured prefix (default /api/auth).
//
// Build one with New, mount Handler() on your router, protect your own routes
// with RequireUser and read the signed-in user with UserFrom.
package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/jwt"
	"example.com/demo/internal/auth/mail"
	"example.com/demo/internal/auth/password"
	"example.com/demo/internal/auth/sms"
	"example.com/demo/internal/auth/store"
)

// Auth is one account system. Everything it needs is in this struct; two
// values in one process share nothing.
type Auth struct {
	cfg       config.Config
	store     store.Store // set once the database is open; see database.go
	ownsStore bool
	db        dbState
	clock     Clock
	logger    *slog.Logger
	tokens    *jwt.Codec
	hasher    *password.Hasher
	// dummyParams picks the Argon2 parameters an unknown address's sign-in
	// is verified with (dummyhash.go).
	dummyParams *dummyParams
	mail        *mailer
	// sms sends the second factor's codes (sms_code.go).
	sms       sms.Sender
	handlers  []EventHandler
	openapi   []byte
	limiter   *rateLimiter
	handler   http.Handler
	purge     purgeLoop // purge.go
	closeOnce sync.Once
	closeErr  error
}

// New validates cfg, builds the token codec, the password hasher and the
// mailer, and opens the database (applying migrations) unless WithStore
// gives one. A database that cannot be reached yet is not an error: the API
// answers 503 until a background retry opens it (database.go). Call Close
// when done.
func New(ctx context.Context, cfg config.Config, opts ...Option) (*Auth, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	// The keys of the SMS steps' pending tokens are derived once too.
	codec, err := jwt.NewCodec(cfg.JWTSecret, cfg.JWTAlgorithm, cfg.JWTAudience, purposeLoginMFA, purposePhoneSetup)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	hasher := o.hasher
	if hasher == nil {
		p := password.DefaultParams()
		p.MemoryKiB = uint32(cfg.PasswordHashMemoryKiB)
		p.TimeCost = uint32(cfg.PasswordHashTimeCost)
		p.Parallelism = uint8(cfg.PasswordHashParallelism)
		hasher = password.NewHasher(p, password.Limits{
			Concurrent: cfg.PasswordHashMaxConcurrent,
			Queue:      cfg.PasswordHashMaxQueue,
			Wait:       time.Duration(cfg.PasswordHashMaxWaitMS) * time.Millisecond,
		})
	}
	composer, err := mail.NewComposer(o.templates, cfg.AppName, cfg.FromHeader())
	if err != nil {
		return nil, fmt.Errorf("auth: mail templates: %w", err)
	}
	sender := o.mailer
	if sender == nil {
		if sender, err = mail.NewSender(cfg.Email, o.logger); err != nil {
			return nil, fmt.Errorf("auth: email: %w", err)
		}
	}
	smsSender := o.sms
	if smsSender == nil {
		if smsSender, err = sms.New(cfg.SMS, o.logger); err != nil {
			return nil, fmt.Errorf("auth: sms: %w", err)
		}
	}
	a := &Auth{
		cfg:      cfg,
		clock:    o.clock,
		logger:   o.logger,
		tokens:   codec,
		hasher:   hasher,
		mail:     newMailer(composer, sender, o.logger),
		sms:      smsSender,
		handlers: o.handlers,
	}
	a.dummyParams = newDummyParams(cfg.JWTSecret, func() store.Store { return a.store }, a.now, o.logger)
	if a.openapi, err = openAPIDocument(cfg, a.routes()); err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	if a.limiter, err = newRateLimiter(cfg); err != nil {
		return nil, err
	}
	if o.store != nil {
		a.useStore(o.store, false)
	} else if err := a.openDatabase(ctx); err != nil {
		return nil, err
	}
	a.handler = a.untilDatabaseOpen(a.newRouter())
	a.startPurge() // last: nothing after it may fail and leave it running
	return a, nil
}

// Handler serves the JSON API. Its routes are full paths (cfg.APIPrefix +
// "/login", ...), so mount it at the prefix without stripping it:
//
//	mux.Handle(cfg.APIPrefix+"/", a.Handler())
func (a *Auth) Handler() http.Handler { return a.handler }

// Close waits for emails still being delivered (at most 10 s, or
// smtp_timeout_seconds if shorter; what is left is dropped and logged),
// then closes the database if New opened it. It is safe to call more than
// once.
func (a *Auth) Close() error {
	a.closeOnce.Do(func() {
		a.stopPurge() // before the store closes under it
		a.mail.close()
		a.stopOpening()
		if a.ownsStore {
			a.closeErr = a.store.Close()
		}
	})
	return a.closeErr
}

// now is the injected clock's time in UTC, truncated to the microsecond
// precision every store keeps, so a value written and read back compares
// equal.
func (a *Auth) now() time.Time {
	return a.clock.Now().UTC().Truncate(time.Microsecond)
}
