// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"log/slog"

	"example.com/demo/internal/auth/config"

	"example.com/demo/internal/auth/store"
)

// OpenStoreForTest opens the configured store beside a running Auth, so the
// black-box tests can create accounts the API cannot (disabled, unverified,
// password-less) on the same database. It exists only in test builds.
func OpenStoreForTest(ctx context.Context, cfg config.Config) (store.Store, error) {
	return openStore(ctx, cfg, slog.Default())
}

// CensusPasswordParams takes the census of password parameters now
// (dummyhash.go), instead of in the background on the next sign-in.
func (a *Auth) CensusPasswordParams(ctx context.Context) { a.dummyParams.load(ctx) }

// DummyParamsFor is the parameter prefix an unknown address's sign-in is
// verified with.
func (a *Auth) DummyParamsFor(ctx context.Context, email string) string {
	return a.dummyParams.pick(ctx, email)
}

// RouteTable lists the routes served, as "METHOD /path" relative to the API
// prefix: the route table (routes.go) after the runtime switches.
func (a *Auth) RouteTable() []string {
	var out []string
	for _, r := range a.routes() {
		out = append(out, r.method+" "+r.path)
	}
	return out
}
