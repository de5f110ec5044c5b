// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package authtest helps test code that uses the account system: a clock
// the test moves by hand, a mailbox that captures outgoing mail, an event
// log, and a running server on a fresh database with cheap password
// hashing, plus a few HTTP helpers for the JSON API.
package authtest

import (
	"sync"
	"time"
)

// Clock is a controllable clock. Its zero value reads as the zero time;
// NewClock starts it at a given instant. It is safe for concurrent use, so a
// test may move it while requests are in flight.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that reads t until it is moved.
func NewClock(t time.Time) *Clock {
	return &Clock{now: t}
}

// Now returns the clock's current instant.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t (backwards too).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d and returns the new instant.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
