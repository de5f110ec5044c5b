// Command soak is the soak benchmark of issue 14 §5 (bench/soak/run.sh runs
// it; it is not part of CI). For each backend it generates the default
// starter app, builds it with one extra file that exposes its goroutine
// count and heap on a loopback debug port, runs it against a fresh database
// and an SMTP sink, and drives it for -duration with -clients virtual users
// in a closed loop (register, verify through the mailed link, login, me,
// change password, logout, forgot/reset through the mailed link, wrong
// passwords, hostile bodies), each from its own X-Forwarded-For address.
// The lockout, the rate limits and password hashing keep their defaults.
//
// Every -report-every it prints per route the count, p50 and p99 of the
// interval and the statuses, the app's RSS and goroutines, and the row
// count of each table. At the end: totals, the 5xx count, memory and
// goroutines at start and end, row counts before and after a purge, and
// a sign-in with every acknowledged account. Each goal is printed PASS or
// FAIL; the exit status is 1 when one failed.
//
//	go run ./cmd/soak -regstack ../bin/regstack -ferretdb ../bin/ferretdb-sqlite -backend sqlite,postgres,mongo -duration 10m
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type options struct {
	regstack    string
	ferretBin   string
	backends    []string
	duration    time.Duration
	warmup      time.Duration
	reportEvery time.Duration
	clients     int
	think       time.Duration
	jsonPath    string
	keep        bool
}

func main() {
	opts, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var results []*result
	pass := true
	for _, b := range opts.backends {
		res, err := runBackend(ctx, opts, b)
		if err != nil {
			fmt.Fprintf(os.Stderr, "soak: %s: %v\n", b, err)
			pass = false
			if ctx.Err() != nil {
				break
			}
			continue
		}
		results = append(results, res)
		pass = pass && res.Pass
	}
	if opts.jsonPath != "" {
		if err := writeJSON(opts.jsonPath, results, pass); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			pass = false
		}
	}
	fmt.Println()
	for _, r := range results {
		fmt.Printf("soak %-8s %s\n", r.Backend, passWord(r.Pass))
	}
	if !pass {
		os.Exit(1)
	}
}

func parseFlags() (options, error) {
	var o options
	var backends string
	flag.StringVar(&o.regstack, "regstack", "", "the regstack binary (required)")
	flag.StringVar(&o.ferretBin, "ferretdb", "", "the ferretdb-sqlite launcher for the mongo backend; empty runs FerretDB in this process")
	flag.StringVar(&backends, "backend", "sqlite", "backends to soak, comma- or space-separated: sqlite, postgres, mongo")
	flag.DurationVar(&o.duration, "duration", 10*time.Minute, "how long the load runs per backend")
	flag.DurationVar(&o.warmup, "warmup", 0, "load before the start figures are taken; 0 means duration/4, at most 30s")
	flag.DurationVar(&o.reportEvery, "report-every", time.Minute, "interval of the progress lines")
	flag.IntVar(&o.clients, "clients", 16, "virtual users")
	flag.DurationVar(&o.think, "think", 2*time.Second, "mean think time of a user between two requests (uniform in [0, 2×think])")
	flag.StringVar(&o.jsonPath, "json", "", "also write a JSON summary to this file")
	flag.BoolVar(&o.keep, "keep", false, "keep the scratch folder (host, app log, SQLite file) and print its path")
	flag.Parse()
	if o.regstack == "" {
		return o, errors.New("-regstack is required")
	}
	var err error
	if o.regstack, err = filepath.Abs(o.regstack); err != nil {
		return o, err
	}
	if o.ferretBin != "" {
		if o.ferretBin, err = filepath.Abs(o.ferretBin); err != nil {
			return o, err
		}
	}
	o.backends = strings.FieldsFunc(backends, func(r rune) bool { return r == ',' || r == ' ' })
	if len(o.backends) == 0 || o.clients < 1 || o.duration <= 0 || o.reportEvery <= 0 {
		return o, errors.New("need at least one backend, -clients >= 1, -duration and -report-every > 0")
	}
	if o.warmup <= 0 {
		o.warmup = min(o.duration/4, 30*time.Second)
	}
	return o, nil
}

func writeJSON(path string, results []*result, pass bool) error {
	b, err := json.MarshalIndent(map[string]any{"pass": pass, "backends": results}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func passWord(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
