// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"

	"regstack.example/app/internal/auth/store"
	"regstack.example/app/internal/auth/store/sqlite"
)

// openStore opens the database this package was generated for. It is the
// one place that names the backend; everything else sees store.Store.
func openStore(ctx context.Context, databaseURL string) (store.Store, error) {
	s, err := sqlite.Open(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	return s, nil
}
