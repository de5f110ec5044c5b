// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package authtest

import (
	"context"
	"sync"

	"example.com/demo/internal/auth"
)

// EventLog records the events the account system fires. Handlers run
// synchronously before the response is written, so after a request returns
// its events are already in the log.
type EventLog struct {
	mu     sync.Mutex
	events []auth.Event
}

// Handle records e; pass it to auth.WithEventHandler.
func (l *EventLog) Handle(_ context.Context, e auth.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
	return nil
}

// Events returns every recorded event, oldest first.
func (l *EventLog) Events() []auth.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]auth.Event(nil), l.events...)
}

// Names returns the names of the recorded events, oldest first.
func (l *EventLog) Names() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	names := make([]string, len(l.events))
	for i, e := range l.events {
		names[i] = e.EventName()
	}
	return names
}

// Reset forgets every recorded event.
func (l *EventLog) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = nil
}

// Of returns the recorded events of type T, oldest first.
func Of[T auth.Event](l *EventLog) []T {
	var out []T
	for _, e := range l.Events() {
		if v, ok := e.(T); ok {
			out = append(out, v)
		}
	}
	return out
}
