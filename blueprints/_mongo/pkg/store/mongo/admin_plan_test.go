// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"math"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The hot lookups and the admin API's reads are served by an index: the
// server's explain must not show a collection scan of users. A server
// whose explain does not say which plan it chose (FerretDB answers with
// its own, backend-specific output and no winningPlan) cannot be checked
// that way; there the test checks that the indexes those queries need
// exist (wantIndexes), which is what the store can promise.
func TestQueryPlans(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	at := int64(1_700_000_000_000_000)
	oid := bson.NewObjectID()
	allUsersFilter := bson.D{{Key: "created_at", Value: bson.D{{Key: "$gte", Value: int64(math.MinInt64)}}}}
	order := bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}
	after := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: at}}}},
		bson.D{{Key: "created_at", Value: at}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: oid}}}},
	}}}
	prefix := bson.D{{Key: "email_key", Value: bson.Regex{Pattern: "^ali"}}}
	for _, c := range []struct {
		name   string
		filter bson.D
		sort   bson.D
	}{
		{"UserByID", bson.D{{Key: "_id", Value: oid}}, nil},
		{"UserByEmail", bson.D{{Key: "email_key", Value: "alice@example.com"}}, nil},
		{"list, first page", bson.D{}, order},
		{"list, after a cursor", after, order},
		{"prefix search", prefix, order},
		{"count of all users", allUsersFilter, nil},
		{"count of active users", bson.D{{Key: "is_active", Value: true}}, nil},
		{"count of verified users", bson.D{{Key: "is_verified", Value: true}}, nil},
		{"count of superusers", bson.D{{Key: "is_superuser", Value: true}}, nil},
	} {
		find := bson.D{{Key: "find", Value: usersCollection}, {Key: "filter", Value: c.filter}}
		if c.sort != nil {
			find = append(find, bson.E{Key: "sort", Value: c.sort}, bson.E{Key: "limit", Value: 50})
		}
		var out bson.M
		err := s.users.Database().RunCommand(ctx, bson.D{{Key: "explain", Value: find}, {Key: "verbosity", Value: "queryPlanner"}}).Decode(&out)
		qp, _ := out["queryPlanner"].(bson.M)
		winning, ok := qp["winningPlan"]
		if err != nil || !ok {
			// FerretDB on SQLite answers with its backend's plan, e.g.
			// "SCAN users_…" even for an _id lookup: it does not use the
			// MongoDB indexes for these filters, so there is no index use
			// to enforce against it; the indexes themselves can be.
			t.Logf("the server does not say which plan it chose for %s (err %v, plan %v): checking the indexes instead", c.name, err, qp["Plan"])
			wantIndexes(t, s)
			return
		}
		plan := bson.Raw{}
		if raw, err := bson.Marshal(bson.M{"p": winning}); err == nil {
			plan = raw
		}
		text := plan.String()
		t.Logf("%s: %s", c.name, text)
		if strings.Contains(text, "COLLSCAN") {
			t.Errorf("%s scans the users collection: %s", c.name, text)
		}
	}
}

// wantIndexes fails unless users has an index led by each key list the
// queries of TestQueryPlans filter or sort on.
func wantIndexes(t *testing.T, s *Store) {
	t.Helper()
	cur, err := s.users.Indexes().List(t.Context())
	if err != nil {
		t.Fatalf("list the indexes of users: %v", err)
	}
	var specs []struct {
		Key bson.D `bson:"key"`
	}
	if err := cur.All(t.Context(), &specs); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, spec := range specs {
		var names []string
		for _, e := range spec.Key {
			names = append(names, e.Key)
		}
		have[strings.Join(names, ",")] = true
	}
	for _, want := range []string{"email_key", "created_at,_id", "is_active", "is_verified", "is_superuser"} {
		if !have[want] {
			t.Errorf("users has no index on (%s); it has %v", want, have)
		}
	}
}
