// Package e2e tests regstack from the outside, the way a user meets it: it
// builds the regstack binary from this repository, runs `regstack gen` into
// scratch Go modules, and then builds, vets, gofmt-checks and tests what was
// generated. The live tests start the generated starter app as a real
// process and talk to it over HTTP, with a real SMTP server catching its
// mail.
//
// Everything lives in _test.go files; this file only documents the package.
// Run it with `make test` from the repository root, or `go test ./...` here.
package e2e
