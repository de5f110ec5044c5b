// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"example.com/demo/internal/auth/store"
)

// maxUpsertTries bounds UpsertPending's retries when concurrent sign-ups
// for one address keep replacing each other.
const maxUpsertTries = 10

// UpsertPending replaces any pending registration for p.Email (compared
// case-insensitively), assigning p.ID when it is empty.
//
// Without a transaction it deletes and then inserts. Two sign-ups for one
// address at once may both delete and then race to insert; the unique index
// on email_key lets one in, and the other deletes that row and tries again,
// so one of them ends up stored and the other's link is dead, as with one
// transaction.
func (s *Store) UpsertPending(ctx context.Context, p *store.PendingRegistration) error {
	if p.ID == "" {
		p.ID = newID()
	}
	doc := pendingDocFrom(p)
	for range maxUpsertTries {
		if _, err := s.pending.DeleteMany(ctx, bson.D{{Key: "email_key", Value: doc.EmailKey}}); err != nil {
			return fmt.Errorf("mongo: upsert pending: delete: %w", err)
		}
		_, err := s.pending.InsertOne(ctx, doc)
		if err == nil {
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("mongo: upsert pending: insert: %w", err)
		}
	}
	return fmt.Errorf("mongo: upsert pending: still contended after %d tries", maxUpsertTries)
}

// PendingByEmail returns the pending registration for email, expired or
// not.
func (s *Store) PendingByEmail(ctx context.Context, email string) (*store.PendingRegistration, error) {
	var d pendingDoc
	if err := s.pending.FindOne(ctx, bson.D{{Key: "email_key", Value: emailKey(email)}}).Decode(&d); err != nil {
		return nil, notFound("pending by email", err)
	}
	return d.pending()
}

// ConsumePending deletes and returns the pending registration with the
// token hash; exactly one of several concurrent callers gets it (takeOne).
func (s *Store) ConsumePending(ctx context.Context, tokenHash string) (*store.PendingRegistration, error) {
	var d pendingDoc
	if err := takeOne(ctx, s.pending, bson.D{{Key: "token_hash", Value: tokenHash}}, &d); err != nil {
		return nil, notFound("consume pending", err)
	}
	return d.pending()
}

// CreateAccountToken stores a one-time token.
func (s *Store) CreateAccountToken(ctx context.Context, t *store.AccountToken) error {
	if _, err := s.accountTokens.InsertOne(ctx, accountTokenDocFrom(t)); err != nil {
		return fmt.Errorf("mongo: create account token: %w", err)
	}
	return nil
}

// ConsumeAccountToken deletes and returns the token if it has that purpose
// and has not expired at now; exactly one of several concurrent callers
// succeeds (takeOne). The expiry test is part of the filter, so it holds
// whether or not a TTL index has reaped the row yet; an expired token stays
// until PurgeExpired (or the TTL index) removes it.
func (s *Store) ConsumeAccountToken(ctx context.Context, tokenHash, purpose string, now time.Time) (*store.AccountToken, error) {
	filter := bson.D{
		{Key: "_id", Value: tokenHash},
		{Key: "purpose", Value: purpose},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: micros(now)}}},
	}
	var d accountTokenDoc
	if err := takeOne(ctx, s.accountTokens, filter, &d); err != nil {
		return nil, notFound("consume account token", err)
	}
	return d.token(), nil
}

// RevokeToken records jti as logged out; a second call is a no-op (the jti
// is the _id, so the duplicate insert is refused).
func (s *Store) RevokeToken(ctx context.Context, jti string, exp time.Time) error {
	_, err := s.blacklist.InsertOne(ctx, revokedDoc{JTI: jti, Exp: micros(exp), ExpDate: ttlDate(exp)})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mongo: revoke token: %w", err)
	}
	return nil
}

// IsTokenRevoked reports whether jti was logged out. Like the SQL stores it
// does not look at exp: a token past its exp is refused by its signature
// check anyway, and its row lives until PurgeExpired or the TTL index.
func (s *Store) IsTokenRevoked(ctx context.Context, jti string) (bool, error) {
	err := s.blacklist.FindOne(ctx, bson.D{{Key: "_id", Value: jti}}).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	}
	return false, fmt.Errorf("mongo: is token revoked: %w", err)
}
