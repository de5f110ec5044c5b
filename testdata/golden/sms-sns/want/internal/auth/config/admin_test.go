// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"os"
	"testing"
)

// enable_admin_router defaults to true and loads like the others.
func TestAdminRouterKey(t *testing.T) {
	if !Default().EnableAdminRouter {
		t.Error("enable_admin_router must default to true")
	}
	for _, k := range Keys() {
		if k.Name == "enable_admin_router" && (k.Default != "true" || k.Env != "REGSTACK_ENABLE_ADMIN_ROUTER") {
			t.Errorf("enable_admin_router documented as %+v", k)
		}
	}
	p := write(t, t.TempDir(), "regstack.toml", "enable_admin_router = false\n")
	cfg, err := Load(LoadOptions{TOMLPath: p, SecretsPath: os.DevNull, Environ: []string{"REGSTACK_JWT_SECRET=" + testSecret}})
	if err != nil || cfg.EnableAdminRouter {
		t.Errorf("enable_admin_router = false: %v, %v", cfg.EnableAdminRouter, err)
	}
}
