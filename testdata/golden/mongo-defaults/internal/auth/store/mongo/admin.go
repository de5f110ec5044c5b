// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"example.com/demo/internal/auth/store"
)

// Stats counts users by status and the pending registrations that have not
// expired at now. The counts are separate reads (an aggregation with $cond
// would be one, but FerretDB lacks $cond), so under concurrent sign-ups
// they can disagree by a user or two; they are dashboard numbers.
func (s *Store) Stats(ctx context.Context, now time.Time) (store.Stats, error) {
	var st store.Stats
	for _, c := range []struct {
		n      *int
		what   string
		filter bson.D
	}{
		{&st.TotalUsers, "users", bson.D{}},
		{&st.ActiveUsers, "active users", bson.D{{Key: "is_active", Value: true}}},
		{&st.VerifiedUsers, "verified users", bson.D{{Key: "is_verified", Value: true}}},
		{&st.Superusers, "superusers", bson.D{{Key: "is_superuser", Value: true}}},
	} {
		n, err := s.users.CountDocuments(ctx, c.filter)
		if err != nil {
			return store.Stats{}, fmt.Errorf("mongo: stats: %s: %w", c.what, err)
		}
		*c.n = int(n)
	}
	live := bson.D{{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: micros(now)}}}}
	n, err := s.pending.CountDocuments(ctx, live)
	if err != nil {
		return store.Stats{}, fmt.Errorf("mongo: stats: pending registrations: %w", err)
	}
	st.PendingRegistrations = int(n)
	return st, nil
}

// ListUsers returns one page of users, newest first (ties by id,
// descending), and how many match the email prefix in total. The prefix's
// store.EmailKey is matched against email_key with an anchored, fully
// escaped regular expression, which a {email_key: 1} index serves as a
// range scan. Accounts the email-key step set aside (migrate.go) have keys
// no prefix matches; they are listed without one.
func (s *Store) ListUsers(ctx context.Context, p store.ListUsersParams) ([]*store.User, int, error) {
	if p.Skip < 0 || p.Limit < 0 {
		return nil, 0, fmt.Errorf("mongo: list users: negative skip or limit")
	}
	filter := bson.D{}
	if p.EmailPrefix != "" {
		pattern := "^" + regexp.QuoteMeta(store.EmailKey(p.EmailPrefix))
		filter = bson.D{{Key: "email_key", Value: bson.Regex{Pattern: pattern}}}
	}
	total, err := s.users.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("mongo: list users: count: %w", err)
	}
	users := []*store.User{}
	// A limit of 0 means "no limit" to MongoDB but an empty page here.
	if p.Limit == 0 {
		return users, int(total), nil
	}
	cur, err := s.users.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetSkip(int64(p.Skip)).
		SetLimit(int64(p.Limit)))
	if err != nil {
		return nil, 0, fmt.Errorf("mongo: list users: %w", err)
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, fmt.Errorf("mongo: list users: %w", err)
	}
	for _, d := range docs {
		u, err := d.user()
		if err != nil {
			return nil, 0, err
		}
		users = append(users, u)
	}
	return users, int(total), nil
}

// UpdateUser applies an operator's patch in one update. Disabling also
// revokes the sessions in that update (revoke) and then deletes the user's
// account tokens (deleteAccountTokens). An empty patch changes nothing,
// not even UpdatedAt.
func (s *Store) UpdateUser(ctx context.Context, userID string, patch store.UserPatch, now time.Time) (*store.User, error) {
	if patch.IsActive == nil && patch.IsSuperuser == nil && patch.FullName == nil {
		return s.UserByID(ctx, userID)
	}
	set := bson.D{{Key: "updated_at", Value: micros(now)}}
	if patch.IsActive != nil {
		set = append(set, bson.E{Key: "is_active", Value: *patch.IsActive})
	}
	if patch.IsSuperuser != nil {
		set = append(set, bson.E{Key: "is_superuser", Value: *patch.IsSuperuser})
	}
	if patch.FullName != nil {
		set = append(set, bson.E{Key: "full_name", Value: *patch.FullName})
	}
	if patch.IsActive == nil || *patch.IsActive {
		return s.updateUser(ctx, "update user", userID, bson.D{{Key: "$set", Value: set}})
	}
	u, err := s.revoke(ctx, "update user", userID, set, nil, now)
	if err != nil {
		return nil, err
	}
	return u, s.deleteAccountTokens(ctx, "update user", userID)
}

// RevokeSessions revokes every session of the user issued up to now
// (revoke). UpdatedAt stays: nothing about the account itself changed.
func (s *Store) RevokeSessions(ctx context.Context, userID string, now time.Time) (*store.User, error) {
	return s.revoke(ctx, "revoke sessions", userID, nil, nil, now)
}

// PurgeExpired deletes pending registrations, account tokens and revoked
// tokens whose expiry is before now, and attempts at or before
// attemptsBefore, and returns how many it deleted. It is what keeps the
// collections small on a server without TTL indexes; with them it merely
// runs ahead of the TTL monitor.
//
// It also deletes the store's own bookkeeping, withdrawn attempts'
// tombstones (attempts.go) and abandoned consume claims (pending.go), but
// does not count them: they are not rows the caller ever stored, and the
// SQL stores have no such thing to count.
func (s *Store) PurgeExpired(ctx context.Context, now, attemptsBefore time.Time) (int64, error) {
	before := func(field string, t time.Time) bson.D {
		return bson.D{{Key: field, Value: bson.D{{Key: "$lt", Value: micros(t)}}}}
	}
	oldAttempts := func(withdrawn bool) bson.D {
		return bson.D{
			{Key: "when", Value: bson.D{{Key: "$lte", Value: micros(attemptsBefore)}}},
			{Key: "withdrawn", Value: withdrawn},
		}
	}
	var total int64
	for _, p := range []struct {
		what   string
		coll   *mongo.Collection
		filter bson.D
		count  bool
	}{
		{"pending registrations", s.pending, before("expires_at", now), true},
		{"account tokens", s.accountTokens, before("expires_at", now), true},
		{"revoked tokens", s.blacklist, before("exp", now), true},
		{"attempts", s.loginAttempts, oldAttempts(false), true},
		{"withdrawn attempts", s.loginAttempts, oldAttempts(true), false},
		{"abandoned claims", s.claims, before("expires_at", now), false},
	} {
		res, err := p.coll.DeleteMany(ctx, p.filter)
		if err != nil {
			return total, fmt.Errorf("mongo: purge %s: %w", p.what, err)
		}
		if p.count {
			total += res.DeletedCount
		}
	}
	return total, nil
}
