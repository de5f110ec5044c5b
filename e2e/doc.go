// Package e2e tests regstack from the outside, the way a user meets it: it
// builds the regstack binary from this repository, runs `regstack gen` into
// scratch Go modules, and then builds, vets, gofmt-checks and tests what was
// generated. The live tests start the generated starter app as a real
// process and talk to it over HTTP, with a real SMTP server catching its
// mail. The browser tests (browser_test.go) drive the starter app's pages in
// a headless Chromium with JavaScript off and write screenshots to
// e2e/artifacts/browser/.
//
// Everything lives in _test.go files; this file only documents the package.
// Run it with `make test` from the repository root, or `go test ./...` here.
package e2e
