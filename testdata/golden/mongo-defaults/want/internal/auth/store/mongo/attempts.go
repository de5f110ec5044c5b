// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"example.com/demo/internal/auth/store"
)

// Attempts and the exact lockout count without transactions.
//
// Attempts are counted under a key the caller builds (an account's
// store.EmailKey for password guesses, a prefixed key for other counters)
// and kept exactly as given, in the field email_key (named when it only
// held addresses).
//
// The lockout needs N concurrent failures for one key to see N distinct
// counts (1, 2, ... N), or more than threshold attempts could get to check
// a password. SQL stores get that from a write transaction; here it comes
// from a unique index, the one atomic primitive MongoDB and FerretDB share
// for this (FerretDB applies $push and findAndModify as an unlocked
// read-modify-write, so concurrent $push updates to one document lose
// entries there; that was measured, and is why failures are not an array
// in one document per key).
//
// Each failure is its own document carrying seq, a per-key sequence
// number under a unique (email_key, seq) index. A caller reads the highest
// seq for the key and inserts with seq+1; if another caller took that
// number first the insert fails with a duplicate key and it reads again.
// So a seq is taken only once every lower seq exists, and a caller's count
// is the live failures in the window with seq up to its own: of two
// concurrent callers the one with the higher seq counts the other's
// failure too, so the counts are distinct.
//
// A withdrawn attempt is kept as a tombstone (withdrawn: true) rather than
// deleted, so its seq is never handed out again while a slower caller
// might still be counting up to it. Tombstones and failures older than the
// window go with PurgeExpired, or the TTL index on expires_date.

// maxReserveTries bounds how often ReserveLoginAttempt retries after
// another caller took its sequence number. Every round lets at least one
// contender in, so only a flood of failures for one key exhausts it.
const maxReserveTries = 100

// attemptDoc is a login_attempts document.
type attemptDoc struct {
	// ID is random: the store.LoginAttempt id WithdrawLoginAttempt takes.
	ID int64 `bson:"_id"`
	// Key is the caller's key, as given.
	Key  string `bson:"email_key"`
	Seq  int64  `bson:"seq"`
	When int64  `bson:"when"`
	// Withdrawn marks a tombstone: not a failure, seq still taken.
	Withdrawn bool `bson:"withdrawn"`
	// ExpiresDate is when the failure stops counting (one window after
	// When), for the TTL index.
	ExpiresDate time.Time `bson:"expires_date"`
}

// ReserveLoginAttempt records an attempt for key at time at and returns
// the attempts after windowStart that precede it in sequence, itself
// included, oldest first.
func (s *Store) ReserveLoginAttempt(ctx context.Context, key string, at, windowStart time.Time) (store.LoginAttempt, error) {
	doc := attemptDoc{
		Key:         key,
		When:        micros(at),
		ExpiresDate: ttlDate(at.Add(at.Sub(windowStart))),
	}
	for range maxReserveTries {
		last, err := s.lastSeq(ctx, key)
		if err != nil {
			return store.LoginAttempt{}, err
		}
		doc.Seq, doc.ID = last+1, newAttemptID()
		_, err = s.loginAttempts.InsertOne(ctx, doc)
		if mongo.IsDuplicateKeyError(err) {
			continue // another caller took this seq (or, once in 2^63, this id)
		}
		if err != nil {
			return store.LoginAttempt{}, fmt.Errorf("mongo: reserve login attempt: insert: %w", err)
		}
		recent, err := s.failures(ctx, key, windowStart, doc.Seq)
		if err != nil {
			return store.LoginAttempt{}, err
		}
		return store.LoginAttempt{ID: doc.ID, Recent: recent}, nil
	}
	return store.LoginAttempt{}, fmt.Errorf("mongo: reserve login attempt: still contended after %d tries", maxReserveTries)
}

// lastSeq is the highest sequence number recorded for the key, or 0.
func (s *Store) lastSeq(ctx context.Context, key string) (int64, error) {
	var last struct {
		Seq int64 `bson:"seq"`
	}
	err := s.loginAttempts.FindOne(ctx, bson.D{{Key: "email_key", Value: key}},
		options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}}).SetProjection(bson.D{{Key: "seq", Value: 1}}),
	).Decode(&last)
	switch {
	case err == nil:
		return last.Seq, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return 0, nil
	}
	return 0, fmt.Errorf("mongo: reserve login attempt: last sequence number: %w", err)
}

// failures returns the times of the live failures for the key after
// windowStart, oldest first; maxSeq > 0 keeps only those with seq up to it.
func (s *Store) failures(ctx context.Context, key string, windowStart time.Time, maxSeq int64) ([]time.Time, error) {
	filter := bson.D{
		{Key: "email_key", Value: key},
		{Key: "withdrawn", Value: false},
		{Key: "when", Value: bson.D{{Key: "$gt", Value: micros(windowStart)}}},
	}
	if maxSeq > 0 {
		filter = append(filter, bson.E{Key: "seq", Value: bson.D{{Key: "$lte", Value: maxSeq}}})
	}
	cur, err := s.loginAttempts.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "when", Value: 1}, {Key: "seq", Value: 1}}).
		SetProjection(bson.D{{Key: "when", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("mongo: login failures: %w", err)
	}
	var rows []struct {
		When int64 `bson:"when"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("mongo: login failures: %w", err)
	}
	out := make([]time.Time, len(rows))
	for i, r := range rows {
		out[i] = timeOf(r.When)
	}
	return out, nil
}

// LoginFailuresSince returns the attempt times for key after windowStart,
// oldest first.
func (s *Store) LoginFailuresSince(ctx context.Context, key string, windowStart time.Time) ([]time.Time, error) {
	return s.failures(ctx, key, windowStart, 0)
}

// WithdrawLoginAttempt turns one reserved attempt into a tombstone (see
// the top of this file). Withdrawing an id that is already gone is not an
// error.
func (s *Store) WithdrawLoginAttempt(ctx context.Context, id int64) error {
	_, err := s.loginAttempts.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "withdrawn", Value: true}}}})
	if err != nil {
		return fmt.Errorf("mongo: withdraw login attempt: %w", err)
	}
	return nil
}

// ClearLoginFailures deletes every attempt (and tombstone) recorded for
// key.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := s.loginAttempts.DeleteMany(ctx, bson.D{{Key: "email_key", Value: key}}); err != nil {
		return fmt.Errorf("mongo: clear login failures: %w", err)
	}
	return nil
}

// newAttemptID returns a random positive int64 for an attempt's _id.
func newAttemptID() int64 {
	var b [8]byte
	// crypto/rand.Read never fails; it crashes the program instead.
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>1) | 1
}
