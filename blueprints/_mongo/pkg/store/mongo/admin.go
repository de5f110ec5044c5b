// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"regstack.example/app/internal/auth/store"
)

// Stats counts users by status and the pending registrations that have not
// expired at now. Each count is exact when it is read (countDocuments, no
// kept counter: FerretDB has no multi-document transactions, so a counter
// document could drift from the users it counts after a crash between the
// two writes). Every filter is served by an index (steps 1 and 6 of
// migrate.go): the total by a range over ix_users_created_at, the flags by
// their own indexes, so no count reads the documents themselves. The
// counts are separate reads (an aggregation with $cond would be one, but
// FerretDB lacks $cond), so under concurrent sign-ups they can disagree by
// a user or two.
func (s *Store) Stats(ctx context.Context, now time.Time) (store.Stats, error) {
	var st store.Stats
	for _, c := range []struct {
		n      *int
		what   string
		filter bson.D
	}{
		{&st.TotalUsers, "users", allUsers},
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
	filter := allUsers
	if p.EmailPrefix != "" {
		pattern := "^" + regexp.QuoteMeta(store.EmailKey(p.EmailPrefix))
		filter = bson.D{{Key: "email_key", Value: bson.Regex{Pattern: pattern}}}
	}
	total, err := s.users.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, fmt.Errorf("mongo: list users: count: %w", err)
	}
	if p.After != nil {
		// The keyset: older, or as old with a smaller _id (the order of
		// ix_users_created_at). Ids of one BSON type compare; the store
		// gives every user an ObjectId.
		at := micros(p.After.CreatedAt)
		after := bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: at}}}},
			bson.D{{Key: "created_at", Value: at}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: idValue(p.After.ID)}}}},
		}}}
		filter = bson.D{{Key: "$and", Value: bson.A{filter, after}}}
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

// allUsers matches every user through ix_users_created_at (every user has
// a created_at), so counting them reads the index, not the collection.
var allUsers = bson.D{{Key: "created_at", Value: bson.D{{Key: "$gte", Value: int64(math.MinInt64)}}}}
