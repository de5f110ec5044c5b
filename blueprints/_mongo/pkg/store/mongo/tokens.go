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

	"regstack.example/app/internal/auth/store"
)

// CreateAccountToken stores a one-time token and then deletes the user's
// other tokens of the same purpose, so only the newest link of each kind
// works.
//
// The insert comes first, so the user is never left without the link just
// mailed. The delete spares tokens created after this one: of two requests
// racing each other, the later-created token survives rather than each
// deleting the other's. (With clocks skewed between replicas, a token
// stamped earlier but stored later leaves the later-stamped one in place;
// each replica's tokens still replace each other, so the count stays
// bounded.)
func (s *Store) CreateAccountToken(ctx context.Context, t *store.AccountToken) error {
	doc := accountTokenDocFrom(t)
	if _, err := s.accountTokens.InsertOne(ctx, doc); err != nil {
		return fmt.Errorf("mongo: create account token: %w", err)
	}
	_, err := s.accountTokens.DeleteMany(ctx, bson.D{
		{Key: "user_id", Value: doc.UserID},
		{Key: "purpose", Value: doc.Purpose},
		{Key: "_id", Value: bson.D{{Key: "$ne", Value: doc.TokenHash}}},
		{Key: "created_at", Value: bson.D{{Key: "$lte", Value: doc.CreatedAt}}},
	})
	if err != nil {
		return fmt.Errorf("mongo: create account token: delete older ones: %w", err)
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

// SessionUser reads the user and the logout check at the same time: two
// finds by _id (users, token_blacklist) sent concurrently on two of the
// pool's connections, so the request waits one round trip, not two.
//
// MongoDB has no single command that reads two collections except an
// aggregate with $lookup (or $unionWith, $facet), and FerretDB, a server
// this store supports, implements none of them. Keeping a copy of each
// user's logouts in the user document would make it one find, but
// FerretDB 1.x does not apply concurrent updates of one document
// atomically (of 20 concurrent $inc on one document, 12 landed), so two
// logouts of one user at once could lose one and revive its token: not
// exact. The blacklist stays the one record, read by _id.
func (s *Store) SessionUser(ctx context.Context, userID, jti string) (*store.User, bool, error) {
	type answer struct {
		revoked bool
		err     error
	}
	logout := make(chan answer, 1)
	go func() {
		revoked, err := s.IsTokenRevoked(ctx, jti)
		logout <- answer{revoked, err}
	}()
	var d userDoc
	err := s.users.FindOne(ctx, byID(userID)).Decode(&d)
	l := <-logout
	if err != nil {
		return nil, false, notFound("session user", err)
	}
	u, err := d.user()
	if err != nil {
		return nil, false, err
	}
	if l.err != nil {
		return nil, false, l.err
	}
	return u, l.revoked, nil
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
