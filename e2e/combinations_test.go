package e2e

import (
	"fmt"
	"math/bits"
	"path/filepath"
	"strings"
	"testing"
)

// featureFlags are the `regstack gen` flags of the features that decide
// which files a host gets, in the order of a combination's bits.
var featureFlags = []string{"password-reset", "account-deletion", "admin", "pages"}

// TestFeatureCombinations covers the backend/feature combinations that
// TestScenarios does not: it runs every backend with all features on and
// all off (suites on the real databases included); this test generates the
// other fourteen combinations of featureFlags per backend and proves each
// compiles, vets (tests included) and is gofmt'd, and runs the generated
// suites of all fourteen on SQLite.
//
// require_verification is not a dimension of its own: it gates no file
// (blueprints/testdata/traces.toml has no section for it), it only sets the
// default of the require_verification setting in config.go and
// regstack.toml. Each combination takes it on or off by the parity of its
// bits, so both values meet every feature. SMS is on in eight of the
// fourteen, chosen so that it meets every other feature both ways
// (smsArgs), rather than doubling the run; Google is on in eight too, chosen
// the same way (googleArgs).
//
// Why the suites of the server backends run only for the two extreme
// combinations: features only add files to the root package and its tests;
// the store (the one part that differs per backend) is the same for every
// combination and is exercised in full by each backend's scenario runs and
// its store conformance suite. Running all 42 suites measured 15 minutes on
// 2 cores, most of it repeating that same store work.
//
// To keep the run short, all of them are generated into ONE host module,
// each into its own package folder (internal/<backend>/<bits>/auth), so the
// dependencies are resolved and compiled once and `go vet` and `go test`
// see them all at once.
func TestFeatureCombinations(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "host")
	first := true
	for _, backend := range backends {
		tidied := false
		for bits := 1; bits < 1<<len(featureFlags)-1; bits++ {
			args := []string{"--yes", "--backend", backend, "--package", comboPackage(backend, bits)}
			for i, flag := range featureFlags {
				args = append(args, fmt.Sprintf("--%s=%t", flag, bits&(1<<i) != 0))
			}
			args = append(args, fmt.Sprintf("--require-verification=%t", oddParity(bits)))
			args = append(args, smsArgs(bits)...)
			args = append(args, googleArgs(bits)...)
			if !first {
				// regstack.toml and .regstack/ exist from the previous
				// package; they are not what this test is about.
				args = append(args, "--force")
			}
			if tidied {
				// The first package of each backend pins its driver (go
				// get) and tidies; the rest add nothing new.
				args = append(args, "--no-tidy")
			}
			gen(t, dir, args...)
			first, tidied = false, true
		}
	}
	mustRun(t, dir, buildTimeout, "go", "mod", "tidy")

	t.Run("vet", func(t *testing.T) {
		mustRun(t, dir, buildTimeout, "go", "vet", "./...")
	})
	t.Run("gofmt", func(t *testing.T) {
		if out := mustRun(t, dir, genTimeout, gofmtPath(), "-l", "."); strings.TrimSpace(out) != "" {
			t.Errorf("gofmt -l lists files that are not formatted:\n%s", out)
		}
	})
	t.Run("test/sqlite", func(t *testing.T) {
		out := mustRun(t, dir, testTimeout, "go", "test", "-count=1", "-v", "./internal/sqlite/...")
		if skips := skipLines(out); len(skips) > 0 {
			t.Errorf("%d tests skipped on sqlite, e.g.:\n%s", len(skips), strings.Join(skips[:min(5, len(skips))], "\n"))
		}
		t.Logf("generated suites:\n%s", tail(packageLines(out), 60))
	})
}

// smsArgs decides the SMS feature of a combination: on when exactly one of
// account deletion and admin is (bits 1 and 2), with the SNS sender when
// password reset is on too. Over the fourteen combinations every pair of
// values of SMS and each other feature (and require_verification) occurs,
// and SMS meets pages with and without admin, the two files it changes
// (admin.go, the pages); TestScenarios runs SMS with everything on.
func smsArgs(bits int) []string {
	if (bits>>1^bits>>2)&1 == 0 {
		return []string{"--sms=false"}
	}
	backend := "twilio"
	if bits&1 != 0 {
		backend = "sns"
	}
	return []string{"--sms", "--sms-backend", backend}
}

// googleArgs decides Sign in with Google for a combination: on when
// exactly one of password reset and pages is (bits 0 and 3), the two
// features it changes most (a password-less account sets its first
// password through forgot/reset; the pages get the Google link, the
// oauth-complete page and Connected accounts). Over the fourteen
// combinations every pair of values of Google and each other feature,
// require_verification and SMS occurs, and Google meets pages with SMS on
// and off; TestScenarios runs it with everything on.
func googleArgs(bits int) []string {
	if (bits^bits>>3)&1 == 0 {
		return []string{"--google=false"}
	}
	return []string{"--google"}
}

// oddParity reports whether n has an odd number of bits set.
func oddParity(n int) bool { return bits.OnesCount(uint(n))%2 == 1 }

// comboPackage names the package folder of one combination, e.g.
// internal/postgres/r0d1a0p1s1g1/auth for deletion, pages, SMS (Twilio)
// and Google only.
func comboPackage(backend string, bits int) string {
	var b strings.Builder
	for i, letter := range "rdap" {
		fmt.Fprintf(&b, "%c%d", letter, bits>>i&1)
	}
	switch sms := smsArgs(bits); {
	case len(sms) == 1:
		b.WriteString("s0")
	case sms[2] == "sns":
		b.WriteString("sns")
	default:
		b.WriteString("s1")
	}
	if googleArgs(bits)[0] == "--google" {
		b.WriteString("g1")
	} else {
		b.WriteString("g0")
	}
	return "internal/" + backend + "/" + b.String() + "/auth"
}
