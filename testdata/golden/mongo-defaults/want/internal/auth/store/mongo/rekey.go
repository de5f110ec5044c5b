// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"example.com/demo/internal/auth/store"
)

// The data part of index step 3 (migrate.go): every stored email_key
// becomes store.EmailKey of its address, where it used to be the address
// with ASCII letters lower-cased. For an ASCII address the two are the
// same, so on most databases little or nothing changes.
//
// Without transactions each document is rewritten on its own, with a
// filter on the key it was read with, so a document that changed
// meanwhile is left alone and read again by the next pass. The step is
// recorded only once everything is done; if it is interrupted, the next
// start runs it again from a fresh read.
//
// Login attempts keep their keys: they only count for one lockout window,
// so at worst a lockout in progress at the upgrade starts over for an
// address with non-ASCII letters.

// Keys no lookup produces: store.EmailKey of anything a user can enter has
// no NUL, because addresses with control characters are refused before
// they reach the store.
const (
	// setAsideKeyPrefix + id is the key of an account set aside because an
	// earlier one has the same address under the new comparison.
	setAsideKeyPrefix = "\x00duplicate:"
	// parkedKeyPrefix + id is a user's key for a moment while rekeyUsers
	// untangles keys that must trade places.
	parkedKeyPrefix = "\x00rekeying:"
)

// maxRekeyPasses bounds how often rekeyUsers reads the users afresh. One
// pass does the work and the next confirms nothing is left; more are
// needed only while users are written to concurrently.
const maxRekeyPasses = 5

func rekey(ctx context.Context, db *mongo.Database, logger *slog.Logger) error {
	if err := rekeyPending(ctx, db.Collection(pendingCollection)); err != nil {
		return err
	}
	if err := rekeyUsers(ctx, db.Collection(usersCollection), logger); err != nil {
		return err
	}
	// Account tokens now carry the address they were mailed to, and a
	// token is honoured only while the account still has it. The ones
	// issued before have none to check: delete them (they are short-lived
	// links; their owners ask again).
	if _, err := db.Collection(accountTokensCollection).DeleteMany(ctx,
		bson.D{{Key: "email", Value: bson.D{{Key: "$exists", Value: false}}}}); err != nil {
		return fmt.Errorf("email keys: delete account tokens without an address: %w", err)
	}
	return nil
}

// keyedDoc is what rekeying reads of a document.
type keyedDoc struct {
	ID        any    `bson:"_id"`
	Email     string `bson:"email"`
	EmailKey  string `bson:"email_key"`
	CreatedAt int64  `bson:"created_at"`
	// id is ID as a string, for ordering and for the keys set aside.
	id string
}

func readKeyed(ctx context.Context, coll *mongo.Collection) ([]*keyedDoc, error) {
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{
		{Key: "_id", Value: 1}, {Key: "email", Value: 1}, {Key: "email_key", Value: 1}, {Key: "created_at", Value: 1},
	}))
	if err != nil {
		return nil, err
	}
	var docs []*keyedDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	for _, d := range docs {
		if d.id, err = idString(d.ID); err != nil {
			return nil, err
		}
	}
	return docs, nil
}

// byNewKey groups documents by store.EmailKey of their address, each group
// earliest first (by creation time, then id).
func byNewKey(docs []*keyedDoc) map[string][]*keyedDoc {
	groups := map[string][]*keyedDoc{}
	for _, d := range docs {
		k := store.EmailKey(d.Email)
		groups[k] = append(groups[k], d)
	}
	for _, g := range groups {
		slices.SortFunc(g, func(a, b *keyedDoc) int {
			if c := cmp.Compare(a.CreatedAt, b.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
	}
	return groups
}

// rekeyPending recomputes the pending registrations' keys. Their index is
// no longer unique, so every row simply gets its key. Rows that turn out
// to share an address (two sign-ups whose addresses differed only in case
// or Unicode form) are marked contested, as AddPending would have.
func rekeyPending(ctx context.Context, pending *mongo.Collection) error {
	docs, err := readKeyed(ctx, pending)
	if err != nil {
		return fmt.Errorf("email keys: read pending registrations: %w", err)
	}
	for key, g := range byNewKey(docs) {
		for _, d := range g {
			if d.EmailKey == key {
				continue
			}
			_, err := pending.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "email_key", Value: d.EmailKey}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "email_key", Value: key}}}})
			if err != nil {
				return fmt.Errorf("email keys: pending registration %s: %w", d.id, err)
			}
		}
		if len(g) > 1 {
			_, err := pending.UpdateMany(ctx, bson.D{{Key: "email_key", Value: key}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "contested", Value: true}}}})
			if err != nil {
				return fmt.Errorf("email keys: mark pending registrations contested: %w", err)
			}
		}
	}
	return nil
}

// keyMove is one user's change of key.
type keyMove struct {
	doc      *keyedDoc
	from, to string
}

// rekeyUsers gives every user the key of their address. Where several
// users now share one (addresses that differed only in case or Unicode
// form, which the old key told apart), the earliest-created keeps it and
// the others are set aside under keys of their own, with a warning that
// names them: they can no longer sign in or be found by address, and
// nothing is deleted, so an operator decides what becomes of them.
func rekeyUsers(ctx context.Context, users *mongo.Collection, logger *slog.Logger) error {
	for range maxRekeyPasses {
		docs, err := readKeyed(ctx, users)
		if err != nil {
			return fmt.Errorf("email keys: read users: %w", err)
		}
		var moves []keyMove
		for key, g := range byNewKey(docs) {
			var setAside []string
			for i, d := range g {
				want := key
				if i > 0 {
					want = setAsideKeyPrefix + d.id
					if d.EmailKey != want {
						setAside = append(setAside, d.id)
					}
				}
				if d.EmailKey != want {
					moves = append(moves, keyMove{doc: d, from: d.EmailKey, to: want})
				}
			}
			if len(setAside) > 0 {
				logger.WarnContext(ctx, "mongo: users whose addresses differed only in case or Unicode form now have the same address; "+
					"the earliest keeps it, the others are set aside: they cannot sign in or be found by address until an operator deletes them",
					"kept_user_id", g[0].id, "set_aside_user_ids", setAside)
			}
		}
		if len(moves) == 0 {
			return nil
		}
		if err := applyKeyMoves(ctx, users, moves); err != nil {
			return err
		}
	}
	return fmt.Errorf("email keys: users still changing after %d passes", maxRekeyPasses)
}

// applyKeyMoves carries out the moves under the unique index. A move whose
// new key another user still holds waits for that user's own move; when
// every remaining move waits (keys that must trade places), one user is
// parked under a key of its own, which frees its old key. Moves blocked by
// a user outside the plan (one written since it was read) are left to the
// next pass, which reads the users again.
func applyKeyMoves(ctx context.Context, users *mongo.Collection, moves []keyMove) error {
	for rounds := 2*len(moves) + 1; len(moves) > 0 && rounds > 0; rounds-- {
		var waiting []keyMove
		for _, m := range moves {
			// A user whose key changed since it was read matches nothing
			// here and is read again by the next pass.
			_, err := users.UpdateOne(ctx, bson.D{{Key: "_id", Value: m.doc.ID}, {Key: "email_key", Value: m.from}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "email_key", Value: m.to}}}})
			if isDuplicateKey(err) {
				waiting = append(waiting, m)
				continue
			}
			if err != nil {
				return fmt.Errorf("email keys: user %s: %w", m.doc.id, err)
			}
		}
		if len(waiting) > 0 && len(waiting) == len(moves) {
			m := &waiting[0]
			parked := parkedKeyPrefix + m.doc.id
			_, err := users.UpdateOne(ctx, bson.D{{Key: "_id", Value: m.doc.ID}, {Key: "email_key", Value: m.from}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "email_key", Value: parked}}}})
			if err != nil {
				return fmt.Errorf("email keys: park user %s: %w", m.doc.id, err)
			}
			m.from = parked
		}
		moves = waiting
	}
	return nil
}
