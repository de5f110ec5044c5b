// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package main

import (
	"context"
	"errors"
	"fmt"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/store"
)

// migrate runs `migrate [up|down|status]` (up by default) on the database
// of the configuration. It needs only database_url, so it works in a
// deployment step that has no JWT secret.
func migrate(ctx context.Context, args []string, e *env) int {
	fs := newFlagSet("migrate", e)
	var cf configFlags
	cf.register(fs)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	action := "up"
	switch len(positional) {
	case 0:
	case 1:
		action = positional[0]
	default:
		fmt.Fprintln(e.stderr, "authctl migrate: want at most one of up, down, status")
		return exitUsage
	}
	if action != "up" && action != "down" && action != "status" {
		fmt.Fprintf(e.stderr, "authctl migrate: unknown action %q; want up, down or status\n", action)
		return exitUsage
	}

	fail := func(err error) int {
		fmt.Fprintln(e.stderr, "authctl migrate:", err)
		return exitFailure
	}
	cfg, err := config.Read(cf.options(e))
	if err != nil {
		return fail(err)
	}
	if cfg.DatabaseURL == "" {
		return fail(errors.New("config: database_url: not set"))
	}
	fmt.Fprintf(e.stdout, "database %s\n", redactURL(cfg.DatabaseURL))
	m, err := auth.OpenMigrator(ctx, cfg)
	if err != nil {
		return fail(err)
	}
	defer m.Close()

	switch action {
	case "up":
		applied, err := m.Up(ctx)
		for _, s := range applied {
			fmt.Fprintf(e.stdout, "applied     %s (version %d)\n", s.Name, s.Version)
		}
		if err != nil {
			return fail(err)
		}
		if len(applied) == 0 {
			fmt.Fprintln(e.stdout, "nothing to apply")
		}
	case "down":
		s, err := m.Down(ctx)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "rolled back %s (version %d)\n", s.Name, s.Version)
	}
	steps, err := m.Status(ctx)
	if err != nil {
		return fail(err)
	}
	if action == "status" {
		for _, s := range steps {
			state := "pending"
			if s.Applied {
				state = "applied"
			}
			fmt.Fprintf(e.stdout, "%-11s %s (version %d)\n", state, s.Name, s.Version)
		}
	}
	fmt.Fprintln(e.stdout, summary(steps))
	return exitOK
}

// summary says where the schema stands, e.g. "at version 3 (latest 3): up
// to date".
func summary(steps []store.Migration) string {
	var current, latest int64
	pending := 0
	for _, s := range steps {
		latest = max(latest, s.Version)
		if s.Applied {
			current = max(current, s.Version)
		} else {
			pending++
		}
	}
	if pending == 0 {
		return fmt.Sprintf("at version %d (latest %d): up to date", current, latest)
	}
	return fmt.Sprintf("at version %d (latest %d): %d pending (run `regstack migrate up`)", current, latest, pending)
}
