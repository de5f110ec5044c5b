// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"testing"

	"example.com/demo/internal/auth/config"
)

func TestOpenAPIFollowsRuntimeSwitches(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.EnablePasswordReset = false })
	ops := checkOpenAPIMatchesRoutes(t, env)
	if ops["POST /forgot-password"] || ops["POST /reset-password"] {
		t.Fatal("openapi.json documents password reset although it is switched off")
	}
}
