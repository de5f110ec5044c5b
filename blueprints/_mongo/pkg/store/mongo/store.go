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
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"regstack.example/app/internal/auth/store"
)

// Collection names, as in the Python reference.
const (
	usersCollection         = "users"
	pendingCollection       = "pending_registrations"
	blacklistCollection     = "token_blacklist"
	loginAttemptsCollection = "login_attempts"
	accountTokensCollection = "account_tokens"
)

// Store is store.Store on one MongoDB database. It is safe for concurrent
// use; create it with Open.
type Store struct {
	client        *mongo.Client
	users         *mongo.Collection
	pending       *mongo.Collection
	blacklist     *mongo.Collection
	loginAttempts *mongo.Collection
	accountTokens *mongo.Collection
}

var _ store.Store = (*Store)(nil)

func newStore(client *mongo.Client, db *mongo.Database) *Store {
	return &Store{
		client:        client,
		users:         db.Collection(usersCollection),
		pending:       db.Collection(pendingCollection),
		blacklist:     db.Collection(blacklistCollection),
		loginAttempts: db.Collection(loginAttemptsCollection),
		accountTokens: db.Collection(accountTokensCollection),
	}
}

// Ping reports whether the server answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, nil); err != nil {
		return unavailable(fmt.Errorf("mongo: ping: %w", err))
	}
	return nil
}

// Close closes the client's connections.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	return s.client.Disconnect(ctx)
}

// byID is the filter for one document by its id string.
func byID(id string) bson.D { return bson.D{{Key: "_id", Value: idValue(id)}} }

// returnAfter makes FindOneAndUpdate return the updated document.
func returnAfter() *options.FindOneAndUpdateOptionsBuilder {
	return options.FindOneAndUpdate().SetReturnDocument(options.After)
}

// updateUser applies update to one user and returns the result. MongoDB
// applies all operators of one update to one document atomically.
func (s *Store) updateUser(ctx context.Context, op, userID string, update bson.D) (*store.User, error) {
	var d userDoc
	if err := s.users.FindOneAndUpdate(ctx, byID(userID), update, returnAfter()).Decode(&d); err != nil {
		return nil, notFound(op, err)
	}
	return d.user()
}

// CreateUser inserts u, assigning u.ID (an ObjectId) when it is empty. The
// unique index on email_key decides races between two sign-ups for one
// address.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if u.ID == "" {
		u.ID = newID()
	}
	_, err := s.users.InsertOne(ctx, userDocFrom(u))
	if mongo.IsDuplicateKeyError(err) {
		return store.ErrEmailTaken
	}
	if err != nil {
		return fmt.Errorf("mongo: create user: %w", err)
	}
	return nil
}

// UserByID returns store.ErrNotFound for an unknown id of any shape.
func (s *Store) UserByID(ctx context.Context, id string) (*store.User, error) {
	var d userDoc
	if err := s.users.FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return nil, notFound("user by id", err)
	}
	return d.user()
}

// UserByEmail looks the email up case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	var d userDoc
	if err := s.users.FindOne(ctx, bson.D{{Key: "email_key", Value: emailKey(email)}}).Decode(&d); err != nil {
		return nil, notFound("user by email", err)
	}
	return d.user()
}

// SetFullName sets or clears (nil) the full name.
func (s *Store) SetFullName(ctx context.Context, userID string, fullName *string, now time.Time) (*store.User, error) {
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "updated_at", Value: micros(now)}}}}
	if fullName == nil {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "full_name", Value: ""}}})
	} else {
		update[0].Value = append(update[0].Value.(bson.D), bson.E{Key: "full_name", Value: *fullName})
	}
	return s.updateUser(ctx, "set full name", userID, update)
}

// SetPassword stores the new hash, moves the session cutoff to now and
// deletes the user's outstanding account tokens. Without a transaction the
// tokens go first: every reset or email-change link mailed before the
// change is dead before the new password is in place, and if the update
// then fails the user merely asks for a new link.
func (s *Store) SetPassword(ctx context.Context, userID, passwordHash string, now time.Time) (*store.User, error) {
	if _, err := s.accountTokens.DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}}); err != nil {
		return nil, fmt.Errorf("mongo: set password: delete account tokens: %w", err)
	}
	set := bson.D{
		{Key: "updated_at", Value: micros(now)},
		{Key: "tokens_invalidated_after", Value: micros(now)},
	}
	update := bson.D{{Key: "$set", Value: set}}
	if passwordHash == "" {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "hashed_password", Value: ""}}})
	} else {
		update[0].Value = append(set, bson.E{Key: "hashed_password", Value: passwordHash})
	}
	return s.updateUser(ctx, "set password", userID, update)
}

// SetEmail moves the account to email and moves the session cutoff to now.
// The unique index on email_key decides races between two accounts
// claiming one address; the lookup first gives the common case a clear
// answer on servers that report a unique violation in an update as a
// generic error (FerretDB does).
func (s *Store) SetEmail(ctx context.Context, userID, email string, now time.Time) (*store.User, error) {
	key := emailKey(email)
	taken := bson.D{{Key: "email_key", Value: key}, {Key: "_id", Value: bson.D{{Key: "$ne", Value: idValue(userID)}}}}
	err := s.users.FindOne(ctx, taken).Err()
	switch {
	case err == nil:
		return nil, store.ErrEmailTaken
	case !errors.Is(err, mongo.ErrNoDocuments):
		return nil, fmt.Errorf("mongo: set email: %w", err)
	}
	u, err := s.updateUser(ctx, "set email", userID, bson.D{{Key: "$set", Value: bson.D{
		{Key: "email", Value: email},
		{Key: "email_key", Value: key},
		{Key: "updated_at", Value: micros(now)},
		{Key: "tokens_invalidated_after", Value: micros(now)},
	}}})
	if mongo.IsDuplicateKeyError(err) {
		return nil, store.ErrEmailTaken
	}
	return u, err
}

// MarkVerified sets IsVerified.
func (s *Store) MarkVerified(ctx context.Context, userID string, now time.Time) (*store.User, error) {
	return s.updateUser(ctx, "mark verified", userID, bson.D{{Key: "$set", Value: bson.D{
		{Key: "is_verified", Value: true},
		{Key: "updated_at", Value: micros(now)},
	}}})
}

// RecordLogin sets LastLogin (and UpdatedAt) to at.
func (s *Store) RecordLogin(ctx context.Context, userID string, at time.Time) error {
	res, err := s.users.UpdateOne(ctx, byID(userID), bson.D{{Key: "$set", Value: bson.D{
		{Key: "last_login", Value: micros(at)},
		{Key: "updated_at", Value: micros(at)},
	}}})
	if err != nil {
		return fmt.Errorf("mongo: record login: %w", err)
	}
	if res.MatchedCount == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteUser removes the user, then their account tokens, the pending
// registration and the login failures for their address. The user goes
// first: once it is gone nothing else can be used to sign in, and a crash
// part way leaves only rows PurgeExpired or the TTL indexes clear up.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	var d userDoc
	if err := takeOne(ctx, s.users, byID(userID), &d); err != nil {
		return notFound("delete user", err)
	}
	if _, err := s.accountTokens.DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}}); err != nil {
		return fmt.Errorf("mongo: delete user: account tokens: %w", err)
	}
	if _, err := s.pending.DeleteMany(ctx, bson.D{{Key: "email_key", Value: d.EmailKey}}); err != nil {
		return fmt.Errorf("mongo: delete user: pending registration: %w", err)
	}
	if err := s.ClearLoginFailures(ctx, d.Email); err != nil {
		return fmt.Errorf("mongo: delete user: %w", err)
	}
	return nil
}

// takeOne deletes the document matching filter and decodes it into out;
// of several concurrent callers exactly one gets it, the others
// mongo.ErrNoDocuments.
//
// It is a read followed by a filtered delete rather than findAndModify:
// FerretDB runs FindOneAndDelete as an unlocked read-then-delete, so two
// callers can both be handed the document, whereas DeleteOne's count comes
// from the storage engine and is 1 for exactly one of them, on MongoDB and
// FerretDB alike. The documents taken this way are never modified after
// they are written, so what was read is what was deleted.
func takeOne(ctx context.Context, coll *mongo.Collection, filter bson.D, out any) error {
	raw, err := coll.FindOne(ctx, filter).Raw()
	if err != nil {
		return err
	}
	id, err := raw.LookupErr("_id")
	if err != nil {
		return fmt.Errorf("document without _id: %w", err)
	}
	del := bson.D{{Key: "_id", Value: id}}
	for _, e := range filter {
		if e.Key != "_id" {
			del = append(del, e)
		}
	}
	res, err := coll.DeleteOne(ctx, del)
	if err != nil {
		return err
	}
	if res.DeletedCount == 0 {
		// Another caller deleted it between the read and the delete.
		return mongo.ErrNoDocuments
	}
	return bson.Unmarshal(raw, out)
}
