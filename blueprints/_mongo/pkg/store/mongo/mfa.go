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

// The SMS second factor without transactions or findAndModify.
//
// A code is one mfa_codes document, unique per (user_id, kind) by the
// index user_kind_unique, with an _id of its own (a new ObjectId each time
// a code is stored). The methods keep to the primitives doc.go lists as
// atomic on MongoDB and FerretDB alike:
//
//   - PutMFACode deletes the code it may replace with one filtered
//     DeleteOne (created_at at or before notBefore, when there is a
//     cooldown) and then inserts the new one. The unique index lets exactly
//     one of concurrent inserts in; a caller whose insert is refused reads
//     the code that got in and answers store.ErrCooldown if it is inside
//     the cooldown, or tries again. So of concurrent calls at most one
//     succeeds while the cooldown holds. Between the delete and the insert
//     the user has no code of that kind for a moment; a check arriving
//     then is told the code is missing, which is also the answer a moment
//     later for a code being replaced. A crash in between leaves no code,
//     and the user asks for another.
//   - ReserveMFAAttempt cannot count with $inc: FerretDB applies updates
//     as an unlocked read-modify-write, so concurrent increments would be
//     lost and more guesses let through than the code allows. Each counted
//     check is instead a document of its own in mfa_code_checks, with the
//     _id "<code _id>:<n>" for the code's n-th check. The _id index lets
//     exactly one caller insert check n, so a code's checks are numbered
//     1, 2, ... without gaps or repeats, and none past max_attempts is ever
//     inserted: N concurrent checks against k left reserve at most k. The
//     code's attempts field is the count it was stored with; its current
//     count adds its checks.
//   - DeleteMFACode is a filtered DeleteOne, whose count is 1 for exactly
//     one of concurrent callers.
//
// The checks of a code that is gone (used, replaced, its user deleted)
// are bookkeeping nothing reads again, since a new code has a new _id;
// they hold no user data and go when they expire, with the code's expiry,
// through PurgeExpired or the TTL index.
//
// Both collections are reached through the users collection's database,
// so the Store needs no fields of its own for them.

// Collection names of the SMS codes and their counted checks.
const (
	mfaCodesCollection  = "mfa_codes"
	mfaChecksCollection = "mfa_code_checks"
)

// maxPutTries bounds PutMFACode's rounds of delete and insert when other
// callers keep replacing the code in between. Every round stores some
// caller's code, so only a flood of calls for one user exhausts it.
const maxPutTries = 100

// mfaCodesStep creates the indexes of the SMS codes (migrate.go lists it).
// It changes no documents, so Down can undo it.
var mfaCodesStep = step{version: 4, name: "00004_mfa_codes", indexes: []index{
	// At most one code per user and kind; PutMFACode relies on it.
	{mfaCodesCollection, "user_kind_unique", bson.D{{Key: "user_id", Value: 1}, {Key: "kind", Value: 1}}, unique},
	{mfaCodesCollection, "ix_mfa_codes_expires_at", bson.D{{Key: "expires_at", Value: 1}}, plain},
	// Counting a code's checks.
	{mfaChecksCollection, "ix_mfa_code_checks_code_id", bson.D{{Key: "code_id", Value: 1}}, plain},
	{mfaChecksCollection, "ix_mfa_code_checks_expires_at", bson.D{{Key: "expires_at", Value: 1}}, plain},
	// As in step 2, the server reaps expired documents where it can.
	{mfaCodesCollection, "mfa_codes_ttl", bson.D{{Key: "expires_at_date", Value: 1}}, ttl},
	{mfaChecksCollection, "mfa_code_checks_ttl", bson.D{{Key: "expires_at_date", Value: 1}}, ttl},
}}

// mfaCodeDoc is an mfa_codes document.
type mfaCodeDoc struct {
	ID        bson.ObjectID `bson:"_id"`
	UserID    string        `bson:"user_id"`
	Kind      string        `bson:"kind"`
	CodeHash  string        `bson:"code_hash"`
	PendingID string        `bson:"pending_id"`
	Phone     string        `bson:"phone"`
	// Attempts is the count the code was stored with; the checks counted
	// since are mfa_code_checks documents.
	Attempts      int       `bson:"attempts"`
	MaxAttempts   int       `bson:"max_attempts"`
	CreatedAt     int64     `bson:"created_at"`
	ExpiresAt     int64     `bson:"expires_at"`
	ExpiresAtDate time.Time `bson:"expires_at_date"`
}

// mfaCheckDoc is an mfa_code_checks document: one counted check.
type mfaCheckDoc struct {
	// ID is "<code _id hex>:<n>" for the code's n-th check.
	ID            string        `bson:"_id"`
	CodeID        bson.ObjectID `bson:"code_id"`
	ExpiresAt     int64         `bson:"expires_at"`
	ExpiresAtDate time.Time     `bson:"expires_at_date"`
}

// mfaCodes is the mfa_codes collection.
func (s *Store) mfaCodes() *mongo.Collection {
	return s.users.Database().Collection(mfaCodesCollection)
}

// mfaChecks is the mfa_code_checks collection.
func (s *Store) mfaChecks() *mongo.Collection {
	return s.users.Database().Collection(mfaChecksCollection)
}

// code is the document as a store.MFACode with attempts counted checks.
func (d mfaCodeDoc) code(attempts int) *store.MFACode {
	return &store.MFACode{
		UserID:      d.UserID,
		Kind:        d.Kind,
		CodeHash:    d.CodeHash,
		PendingID:   d.PendingID,
		Phone:       d.Phone,
		Attempts:    attempts,
		MaxAttempts: d.MaxAttempts,
		CreatedAt:   timeOf(d.CreatedAt),
		ExpiresAt:   timeOf(d.ExpiresAt),
	}
}

// attempts is the code's current count: the stored one plus its checks.
func (s *Store) attempts(ctx context.Context, d mfaCodeDoc) (int, error) {
	n, err := s.mfaChecks().CountDocuments(ctx, bson.D{{Key: "code_id", Value: d.ID}})
	if err != nil {
		return 0, fmt.Errorf("mongo: count mfa code checks: %w", err)
	}
	return d.Attempts + int(n), nil
}

// findCode reads the user's code of kind; pendingID, when not "", must
// match too.
func (s *Store) findCode(ctx context.Context, userID, kind, pendingID string) (mfaCodeDoc, error) {
	filter := bson.D{{Key: "user_id", Value: userID}, {Key: "kind", Value: kind}}
	if pendingID != "" {
		filter = append(filter, bson.E{Key: "pending_id", Value: pendingID})
	}
	var d mfaCodeDoc
	err := s.mfaCodes().FindOne(ctx, filter).Decode(&d)
	return d, err
}

// PutMFACode stores c, replacing the user's code of its kind unless that
// one was created after notBefore (a zero notBefore never refuses); see
// the top of this file for how.
func (s *Store) PutMFACode(ctx context.Context, c *store.MFACode, notBefore time.Time) (*store.MFACode, error) {
	doc := mfaCodeDoc{
		UserID:        c.UserID,
		Kind:          c.Kind,
		CodeHash:      c.CodeHash,
		PendingID:     c.PendingID,
		Phone:         c.Phone,
		Attempts:      c.Attempts,
		MaxAttempts:   c.MaxAttempts,
		CreatedAt:     micros(c.CreatedAt),
		ExpiresAt:     micros(c.ExpiresAt),
		ExpiresAtDate: ttlDate(c.ExpiresAt),
	}
	replaceable := bson.D{{Key: "user_id", Value: c.UserID}, {Key: "kind", Value: c.Kind}}
	if !notBefore.IsZero() {
		replaceable = append(replaceable, bson.E{Key: "created_at", Value: bson.D{{Key: "$lte", Value: micros(notBefore)}}})
	}
	for range maxPutTries {
		if _, err := s.mfaCodes().DeleteOne(ctx, replaceable); err != nil {
			return nil, fmt.Errorf("mongo: put mfa code: delete the old code: %w", err)
		}
		doc.ID = bson.NewObjectID()
		_, err := s.mfaCodes().InsertOne(ctx, doc)
		if err == nil {
			return doc.code(doc.Attempts), nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, fmt.Errorf("mongo: put mfa code: %w", err)
		}
		// Another caller's code got in first.
		kept, err := s.findCode(ctx, c.UserID, c.Kind, "")
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // and is gone again
		}
		if err != nil {
			return nil, fmt.Errorf("mongo: put mfa code: read the code kept: %w", err)
		}
		if notBefore.IsZero() || kept.CreatedAt <= micros(notBefore) {
			continue // it may be replaced: the next round's delete takes it
		}
		n, err := s.attempts(ctx, kept)
		if err != nil {
			return nil, err
		}
		return kept.code(n), store.ErrCooldown
	}
	return nil, fmt.Errorf("mongo: put mfa code: still contended after %d tries", maxPutTries)
}

// ReserveMFAAttempt counts one check against the user's code of kind
// issued with pendingID, if it is live at now and has checks left, by
// inserting the code's next check document (see the top of this file).
// The code returned is the one read; its Attempts is this check's number.
func (s *Store) ReserveMFAAttempt(ctx context.Context, userID, kind, pendingID string, now time.Time) (*store.MFACode, bool, error) {
	if pendingID == "" {
		return nil, false, store.ErrNotFound
	}
	d, err := s.findCode(ctx, userID, kind, pendingID)
	if err != nil {
		return nil, false, notFound("reserve mfa attempt", err)
	}
	used, err := s.attempts(ctx, d)
	if err != nil {
		return nil, false, err
	}
	if d.ExpiresAt <= micros(now) {
		return d.code(used), false, nil
	}
	for n := used + 1; n <= d.MaxAttempts; n++ {
		check := mfaCheckDoc{
			ID:            fmt.Sprintf("%s:%d", d.ID.Hex(), n),
			CodeID:        d.ID,
			ExpiresAt:     d.ExpiresAt,
			ExpiresAtDate: d.ExpiresAtDate,
		}
		_, err := s.mfaChecks().InsertOne(ctx, check)
		if mongo.IsDuplicateKeyError(err) {
			continue // a concurrent check took number n
		}
		if err != nil {
			return nil, false, fmt.Errorf("mongo: reserve mfa attempt: %w", err)
		}
		return d.code(n), true, nil
	}
	return d.code(max(used, d.MaxAttempts)), false, nil
}

// DeleteMFACode deletes the user's code of kind if it was issued with
// pendingID: one filtered DeleteOne, so of concurrent callers exactly one
// succeeds.
func (s *Store) DeleteMFACode(ctx context.Context, userID, kind, pendingID string) error {
	if pendingID == "" {
		return store.ErrNotFound
	}
	res, err := s.mfaCodes().DeleteOne(ctx, bson.D{
		{Key: "user_id", Value: userID},
		{Key: "kind", Value: kind},
		{Key: "pending_id", Value: pendingID},
	})
	if err != nil {
		return fmt.Errorf("mongo: delete mfa code: %w", err)
	}
	if res.DeletedCount == 0 {
		return store.ErrNotFound
	}
	return nil
}

// EnableMFA sets the phone number and IsMFAEnabled and then deletes the
// user's codes. The user update comes first, as with the account tokens
// (deleteAccountTokens): every code sent before the change is gone when
// the method returns, and a crash in between leaves only codes for the
// number the user just proved they hold.
func (s *Store) EnableMFA(ctx context.Context, userID, phone string, now time.Time) (*store.User, error) {
	u, err := s.updateUser(ctx, "enable mfa", userID, bson.D{{Key: "$set", Value: bson.D{
		{Key: "phone_number", Value: phone},
		{Key: "is_mfa_enabled", Value: true},
		{Key: "updated_at", Value: micros(now)},
	}}})
	if err != nil {
		return nil, err
	}
	return u, s.deleteMFACodes(ctx, "enable mfa", userID)
}

// DisableMFA clears the phone number and IsMFAEnabled, with revokeSessions
// in the same update as the session cutoff (revoke), and then deletes the
// user's codes (see EnableMFA for the order).
func (s *Store) DisableMFA(ctx context.Context, userID string, now time.Time, revokeSessions bool) (*store.User, error) {
	set := bson.D{
		{Key: "is_mfa_enabled", Value: false},
		{Key: "updated_at", Value: micros(now)},
	}
	unset := bson.D{{Key: "phone_number", Value: ""}}
	var (
		u   *store.User
		err error
	)
	if revokeSessions {
		u, err = s.revoke(ctx, "disable mfa", userID, set, unset, now)
	} else {
		u, err = s.updateUser(ctx, "disable mfa", userID, bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: unset}})
	}
	if err != nil {
		return nil, err
	}
	return u, s.deleteMFACodes(ctx, "disable mfa", userID)
}

// deleteMFACodes deletes every code of the user (DeleteUser calls it too).
func (s *Store) deleteMFACodes(ctx context.Context, op, userID string) error {
	if _, err := s.mfaCodes().DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}}); err != nil {
		return fmt.Errorf("mongo: %s: delete sms codes: %w", op, err)
	}
	return nil
}
