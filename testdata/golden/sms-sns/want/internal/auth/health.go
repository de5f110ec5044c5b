// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"net/http"
	"time"
)

// readyTimeout bounds the database ping of the readiness probe, so a hung
// database makes the probe fail rather than hang.
const readyTimeout = 2 * time.Second

type statusResponse struct {
	Status string `json:"status"`
}

// GET /health: the process answers (liveness).
func (a *Auth) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, statusResponse{Status: "ok"})
}

// GET /health/ready: the database answers too (readiness). The error is
// logged, not returned: probes are often reachable by anyone.
func (a *Auth) handleReady(w http.ResponseWriter, r *http.Request) {
	if !a.databaseOpen() { // still opening in the background (database.go)
		writeJSON(w, http.StatusServiceUnavailable, statusResponse{Status: "unavailable"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
		a.logger.WarnContext(r.Context(), "auth: readiness check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, statusResponse{Status: "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, statusResponse{Status: "ok"})
}
