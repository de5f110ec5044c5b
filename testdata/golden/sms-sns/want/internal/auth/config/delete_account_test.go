// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"os"
	"testing"
)

// The account deletion settings load and default like the others.
func TestAccountDeletionKeys(t *testing.T) {
	d := Default()
	if !d.EnableAccountDeletion || d.DeleteAccountRateLimit != "30/minute;300/hour" {
		t.Errorf("defaults: %+v", d)
	}
	cfg, err := Load(LoadOptions{TOMLPath: os.DevNull, SecretsPath: os.DevNull, Environ: []string{"REGSTACK_JWT_SECRET=" + testSecret,
		"REGSTACK_ENABLE_ACCOUNT_DELETION=false", "REGSTACK_DELETE_ACCOUNT_RATE_LIMIT=off"}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.EnableAccountDeletion || cfg.DeleteAccountRateLimit != "off" {
		t.Errorf("loaded %+v", cfg)
	}
	limits, err := Default().RouteRateLimits()
	found := false
	for _, l := range limits {
		found = found || (l.Key == "delete_account_rate_limit" && l.Route == "DELETE /account" && len(l.Rates) == 2)
	}
	if err != nil || !found {
		t.Errorf("RouteRateLimits() = %+v, %v; want DELETE /account limited", limits, err)
	}
}
