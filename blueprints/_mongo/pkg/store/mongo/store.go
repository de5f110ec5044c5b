// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"regstack.example/app/internal/auth/store"
)

// Collection names, as in the Python reference, plus pending_claims, the
// addresses whose pending registrations are being consumed (pending.go).
const (
	usersCollection         = "users"
	pendingCollection       = "pending_registrations"
	blacklistCollection     = "token_blacklist"
	loginAttemptsCollection = "login_attempts"
	accountTokensCollection = "account_tokens"
	claimsCollection        = "pending_claims"
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
	claims        *mongo.Collection
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
		claims:        db.Collection(claimsCollection),
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
// unique index on email_key (store.EmailKey of the address) decides races
// between two sign-ups for one address.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if u.ID == "" {
		u.ID = newID()
	}
	_, err := s.users.InsertOne(ctx, userDocFrom(u))
	if isDuplicateKey(err) {
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

// UserByEmail looks the email up by store.EmailKey.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	var d userDoc
	if err := s.users.FindOne(ctx, bson.D{{Key: "email_key", Value: store.EmailKey(email)}}).Decode(&d); err != nil {
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

// SetPassword stores the new hash ("" removes it), revokes the sessions
// (revoke) and then deletes the user's account tokens (deleteAccountTokens
// says why in that order).
func (s *Store) SetPassword(ctx context.Context, userID, passwordHash string, now time.Time) (*store.User, error) {
	set := bson.D{{Key: "updated_at", Value: micros(now)}}
	var unset bson.D
	if passwordHash == "" {
		unset = bson.D{{Key: "hashed_password", Value: ""}}
	} else {
		set = append(set, bson.E{Key: "hashed_password", Value: passwordHash})
	}
	u, err := s.revoke(ctx, "set password", userID, set, unset, now)
	if err != nil {
		return nil, err
	}
	return u, s.deleteAccountTokens(ctx, "set password", userID)
}

// SetEmail moves the account to email, revokes the sessions (revoke) and
// then deletes the user's account tokens (deleteAccountTokens). The unique
// index on email_key decides races between two accounts claiming one
// address, so the move either happens whole or not at all.
func (s *Store) SetEmail(ctx context.Context, userID, email string, now time.Time) (*store.User, error) {
	u, err := s.revoke(ctx, "set email", userID, bson.D{
		{Key: "email", Value: email},
		{Key: "email_key", Value: store.EmailKey(email)},
		{Key: "updated_at", Value: micros(now)},
	}, nil, now)
	if isDuplicateKey(err) {
		return nil, store.ErrEmailTaken
	}
	if err != nil {
		return nil, err
	}
	return u, s.deleteAccountTokens(ctx, "set email", userID)
}

// MarkVerified sets IsVerified.
func (s *Store) MarkVerified(ctx context.Context, userID string, now time.Time) (*store.User, error) {
	return s.updateUser(ctx, "mark verified", userID, bson.D{{Key: "$set", Value: bson.D{
		{Key: "is_verified", Value: true},
		{Key: "updated_at", Value: micros(now)},
	}}})
}

// RecordLogin records a sign-in with one conditional update: the filter
// holds every condition under which the sign-in still counts (active, the
// hash that was verified, no session cutoff at or after r.At), so the
// check and the write are one atomic step on MongoDB, and a password
// change, disable or revocation that commits first makes it match nothing.
// Only then is a second read spent telling a stale account from a missing
// one.
//
// LastLogin is raised with $max rather than set: two sign-ins recorded out
// of order (replicas with skewed clocks) leave the later time, so
// LastLogin stays at or after every session RecordLogin accepted, which
// is what revoke relies on. UpdatedAt is set to r.At.
func (s *Store) RecordLogin(ctx context.Context, userID string, r store.LoginRecord) error {
	at := micros(r.At)
	filter := bson.D{
		{Key: "_id", Value: idValue(userID)},
		{Key: "is_active", Value: true},
		// A null test matches an absent field: no cutoff was ever set.
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "tokens_invalidated_after", Value: nil}},
			bson.D{{Key: "tokens_invalidated_after", Value: bson.D{{Key: "$lt", Value: at}}}},
		}},
	}
	if r.PasswordHash == "" {
		// "" is a password-less account, whose hash field is absent.
		filter = append(filter, bson.E{Key: "hashed_password", Value: bson.D{{Key: "$exists", Value: false}}})
	} else {
		filter = append(filter, bson.E{Key: "hashed_password", Value: r.PasswordHash})
	}
	set := bson.D{{Key: "updated_at", Value: at}}
	if r.Rehash != "" {
		set = append(set, bson.E{Key: "hashed_password", Value: r.Rehash})
	}
	res, err := s.users.UpdateOne(ctx, filter, bson.D{
		{Key: "$set", Value: set},
		{Key: "$max", Value: bson.D{{Key: "last_login", Value: at}}},
	})
	if err != nil {
		return fmt.Errorf("mongo: record login: %w", err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	err = s.users.FindOne(ctx, byID(userID), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err == nil {
		return store.ErrStale
	}
	return notFound("record login", err)
}

// revoke applies $set (and $unset, when not empty) to one user and, in the
// same update, revokes every session issued up to now: it sets the session
// cutoff to the latest of the stored cutoff, now and LastLogin, and
// returns the user as it then is.
//
// The cutoff must take in LastLogin because a sign-in recorded by a
// replica whose clock runs ahead of this one carries a later iat than now.
// SQL stores write max(now, last_login) in one statement; MongoDB can only
// compute one field from another with a pipeline update, which FerretDB
// lacks. So it takes two updates, each a single atomic operator on the
// cutoff:
//
//  1. the change itself with $max(cutoff, now), returning the document
//     after it. Every sign-in RecordLogin accepted before this point
//     raised LastLogin to at least its own time, so the returned LastLogin
//     covers them all; every sign-in after it needs a time after now
//     (RecordLogin's filter), and with the new password, active status or
//     address already in place.
//  2. only when that LastLogin is later than the cutoff: $max(cutoff,
//     LastLogin). A sign-in accepted between the two steps may be covered
//     as well, which signs out a session that could have stayed; never
//     the reverse.
//
// A compare-and-swap loop (read LastLogin, write the cutoff with a filter
// on the value read, retry when a sign-in moved it) would give the same
// guarantee, but it costs a read on every call and retries for as long as
// sign-ins keep arriving. $max needs neither: it is monotone, so no
// concurrent update undoes it, step 2 is skipped unless a clock ran ahead,
// and a cutoff an earlier revocation put later than now is never lowered.
func (s *Store) revoke(ctx context.Context, op, userID string, set, unset bson.D, now time.Time) (*store.User, error) {
	update := bson.D{{Key: "$max", Value: bson.D{{Key: "tokens_invalidated_after", Value: micros(now)}}}}
	if len(set) > 0 {
		update = append(update, bson.E{Key: "$set", Value: set})
	}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	var d userDoc
	if err := s.users.FindOneAndUpdate(ctx, byID(userID), update, returnAfter()).Decode(&d); err != nil {
		return nil, notFound(op, err)
	}
	if d.LastLogin != nil && (d.TokensInvalidatedAfter == nil || *d.LastLogin > *d.TokensInvalidatedAfter) {
		return s.updateUser(ctx, op, userID, bson.D{{Key: "$max", Value: bson.D{
			{Key: "tokens_invalidated_after", Value: *d.LastLogin},
		}}})
	}
	return d.user()
}

// deleteAccountTokens deletes every account token of the user. Methods
// that revoke sessions call it after their user update, not before:
//
//   - Done first, a link requested between the deletion and the
//     update would outlive the change. Done after, every link issued
//     before the change is gone once the method returns, and a link issued
//     after it was issued for the account as it now is.
//   - A crash between the two leaves old links behind, but none of them
//     can undo the change: a link is only honoured while the account still
//     has the address it was mailed to (AccountToken.Email), so SetEmail's
//     are dead already; a disabled account is refused whatever link it
//     brings; and after SetPassword a link still goes only to the
//     account's own mailbox, as a new one would.
func (s *Store) deleteAccountTokens(ctx context.Context, op, userID string) error {
	if _, err := s.accountTokens.DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}}); err != nil {
		return fmt.Errorf("mongo: %s: delete account tokens: %w", op, err)
	}
	return nil
}

// PasswordParams counts the users with a password by the parameter part of
// their hash. It reads the hashes through a cursor and groups them here:
// FerretDB has no string operators in $group, and the count is only taken
// at start-up and now and then.
func (s *Store) PasswordParams(ctx context.Context) (map[string]int, error) {
	cur, err := s.users.Find(ctx,
		bson.D{{Key: "hashed_password", Value: bson.D{{Key: "$exists", Value: true}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "hashed_password", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("mongo: password params: %w", err)
	}
	defer cur.Close(ctx)
	counts := map[string]int{}
	for cur.Next(ctx) {
		var d struct {
			Hash string `bson:"hashed_password"`
		}
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("mongo: password params: %w", err)
		}
		if params, ok := paramsPrefix(d.Hash); ok {
			counts[params]++
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("mongo: password params: %w", err)
	}
	return counts, nil
}

// paramsPrefix is the part of a PHC string before the salt:
// "$argon2id$v=19$m=65536,t=3,p=4" of
// "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>". ok is false for a string
// without that shape, which no password check would accept anyway.
func paramsPrefix(hash string) (params string, ok bool) {
	i := strings.LastIndexByte(hash, '$')
	if i <= 0 {
		return "", false
	}
	j := strings.LastIndexByte(hash[:i], '$')
	if j <= 0 {
		return "", false
	}
	return hash[:j], true
}

// DeleteUser removes the user, then their account tokens, the pending
// registrations and the attempts under their address's key. The user goes
// first: once it is gone nothing else can be used to sign in, and a crash
// part way leaves only rows PurgeExpired or the TTL indexes clear up.
//
// The stored key is used, not one computed from the address: for an
// account the email-key step set aside (migrate.go) it is a key of its
// own, so deleting it leaves the pending registrations and attempts of the
// account that kept the address alone.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	var d userDoc
	if err := takeOne(ctx, s.users, byID(userID), &d); err != nil {
		return notFound("delete user", err)
	}
	if err := s.deleteAccountTokens(ctx, "delete user", userID); err != nil {
		return err
	}
	if _, err := s.pending.DeleteMany(ctx, bson.D{{Key: "email_key", Value: d.EmailKey}}); err != nil {
		return fmt.Errorf("mongo: delete user: pending registrations: %w", err)
	}
	if err := s.ClearLoginFailures(ctx, d.EmailKey); err != nil {
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
// FerretDB alike. The filter's other fields are repeated in the delete, so
// a document changed in them between the read and the delete is not taken;
// a change elsewhere (a user's name, say) can make the returned copy a
// moment older than what was deleted.
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
