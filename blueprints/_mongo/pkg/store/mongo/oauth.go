// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"regstack.example/app/internal/auth/store"
)

// Sign in with Google without transactions or findAndModify.
//
// An identity is one oauth_identities document, unique per (provider,
// subject_id) and per (user_id, provider). A sign-in in flight is one
// oauth_states document whose _id is the OAuth state parameter. The
// methods keep to the primitives doc.go lists as atomic on MongoDB and
// FerretDB alike (FerretDB v1 runs findAndModify and updates as an
// unlocked read-modify-write, so a FindOneAndUpdate claim could be won
// twice there):
//
//   - ClaimOAuthState reads the unused state of the browser and then
//     inserts {_id: state id} into oauth_state_claims, which the _id index
//     lets exactly one caller do; that caller then marks the state used.
//     A claim from another browser finds no state and inserts nothing, so
//     the state stays claimable. (Taking the state out with takeOne and
//     putting it back marked used would not do: FerretDB runs a filtered
//     delete as a query followed by a delete by _id, so a caller whose
//     query saw the unused state can delete the copy another caller put
//     back, and win too; storetest's OAuthStateClaimConcurrent caught
//     that.) Once used_at is set, the state's own filter refuses further
//     claims, so the claim only matters until then; the consume or
//     PurgeExpired deletes it.
//   - ConsumeOAuthCompletion takes the completed state with takeOne. The
//     state is never put back, so its one delete has one winner. A state
//     that has not completed has no completion_hash field, so the filter
//     never matches it.
//   - LinkIdentity and CreateUserWithIdentity let the two unique indexes
//     decide, on insert, whether the identity is taken.
//   - UnlinkIdentity must decide "is this the last way to sign in" and
//     delete in one step. Two unlinks of a password-less user's two
//     identities, each counting before either deletes, would both pass,
//     and a version field on the user, compared and bumped by an update,
//     is no lock on FerretDB. So an unlink first claims the user: it
//     inserts {_id: user id} into oauth_unlink_claims, which the _id index
//     lets one caller at a time do, and counts, checks and deletes while
//     it holds the claim. Other unlinks of the user wait for it.
//     storetest's UnlinkIdentityConcurrent proves it: of unlinks of all a
//     password-less user's identities at once, exactly one is refused.
//
// Every collection is reached through the users collection's database,
// so the Store needs no fields of its own for them.

// Collection names of the identities, the sign-ins in flight, their
// claims and the unlinks in progress.
const (
	oauthIdentitiesCollection = "oauth_identities"
	oauthStatesCollection     = "oauth_states"
	stateClaimsCollection     = "oauth_state_claims"
	unlinkClaimsCollection    = "oauth_unlink_claims"
)

// unlinkWait bounds how long UnlinkIdentity waits for another unlink of
// the same user; each holds its claim for a few round trips, so only a
// flood of unlinks for one user (or a claim abandoned by a crash, which
// expires after claimTTL) makes it give up.
const unlinkWait = 10 * time.Second

// oauthStep creates the indexes of Sign in with Google (migrate.go lists
// it). It changes no documents, so Down can undo it.
var oauthStep = step{version: 5, name: "00005_oauth", indexes: []index{
	// A provider account belongs to one user; a user has one account of
	// each provider. The second index also serves every lookup by user_id.
	{oauthIdentitiesCollection, "oauth_identities_subject_unique", bson.D{{Key: "provider", Value: 1}, {Key: "subject_id", Value: 1}}, unique},
	{oauthIdentitiesCollection, "oauth_identities_user_provider_unique", bson.D{{Key: "user_id", Value: 1}, {Key: "provider", Value: 1}}, unique},
	// ConsumeOAuthCompletion's lookup. Not unique: completion_hash is
	// absent until a state completes, and a unique index over an optional
	// field needs a partial index, which FerretDB rejects (doc.go). A hash
	// of a 256-bit random id does not collide, and takeOne, not the index,
	// is what lets one caller consume it.
	{oauthStatesCollection, "ix_oauth_states_completion_hash", bson.D{{Key: "completion_hash", Value: 1}}, plain},
	{oauthStatesCollection, "ix_oauth_states_expires_at", bson.D{{Key: "expires_at", Value: 1}}, plain},
	// As in step 2, the server reaps expired documents where it can.
	{oauthStatesCollection, "oauth_states_ttl", bson.D{{Key: "expires_at_date", Value: 1}}, ttl},
	{stateClaimsCollection, "oauth_state_claims_ttl", bson.D{{Key: "expires_at_date", Value: 1}}, ttl},
}}

// oauthIdentityDoc is an oauth_identities document.
type oauthIdentityDoc struct {
	ID         any     `bson:"_id"`
	UserID     string  `bson:"user_id"`
	Provider   string  `bson:"provider"`
	Subject    string  `bson:"subject_id"`
	Email      *string `bson:"email,omitempty"`
	LinkedAt   int64   `bson:"linked_at"`
	LastUsedAt *int64  `bson:"last_used_at,omitempty"`
}

func oauthIdentityDocFrom(id *store.OAuthIdentity) oauthIdentityDoc {
	return oauthIdentityDoc{
		ID:         idValue(id.ID),
		UserID:     id.UserID,
		Provider:   id.Provider,
		Subject:    id.Subject,
		Email:      optionalString(id.Email),
		LinkedAt:   micros(id.LinkedAt),
		LastUsedAt: optionalMicros(id.LastUsedAt),
	}
}

func (d oauthIdentityDoc) identity() (*store.OAuthIdentity, error) {
	id, err := idString(d.ID)
	if err != nil {
		return nil, err
	}
	return &store.OAuthIdentity{
		ID:         id,
		UserID:     d.UserID,
		Provider:   d.Provider,
		Subject:    d.Subject,
		Email:      stringOf(d.Email),
		LinkedAt:   timeOf(d.LinkedAt),
		LastUsedAt: optionalTimeOf(d.LastUsedAt),
	}, nil
}

// oauthStateDoc is an oauth_states document; the state parameter is the
// _id. The fields a callback fills in are absent until then.
type oauthStateDoc struct {
	ID             string    `bson:"_id"`
	Provider       string    `bson:"provider"`
	CodeVerifier   string    `bson:"code_verifier"`
	Nonce          string    `bson:"nonce"`
	BrowserHash    string    `bson:"browser_hash"`
	RedirectTo     string    `bson:"redirect_to"`
	Mode           string    `bson:"mode"`
	LinkingUserID  *string   `bson:"linking_user_id,omitempty"`
	CreatedAt      int64     `bson:"created_at"`
	ExpiresAt      int64     `bson:"expires_at"`
	ExpiresAtDate  time.Time `bson:"expires_at_date"`
	UsedAt         *int64    `bson:"used_at,omitempty"`
	CompletionHash *string   `bson:"completion_hash,omitempty"`
	ResultUserID   *string   `bson:"result_user_id,omitempty"`
	WasNew         bool      `bson:"was_new"`
}

func (d oauthStateDoc) state() *store.OAuthState {
	return &store.OAuthState{
		ID:             d.ID,
		Provider:       d.Provider,
		CodeVerifier:   d.CodeVerifier,
		Nonce:          d.Nonce,
		BrowserHash:    d.BrowserHash,
		RedirectTo:     d.RedirectTo,
		Mode:           d.Mode,
		LinkingUserID:  stringOf(d.LinkingUserID),
		CreatedAt:      timeOf(d.CreatedAt),
		ExpiresAt:      timeOf(d.ExpiresAt),
		UsedAt:         optionalTimeOf(d.UsedAt),
		CompletionHash: stringOf(d.CompletionHash),
		ResultUserID:   stringOf(d.ResultUserID),
		WasNew:         d.WasNew,
	}
}

// stateClaimDoc is an oauth_state_claims document: a state a callback
// has claimed. It expires with the state as it was when claimed.
type stateClaimDoc struct {
	StateID       string    `bson:"_id"`
	ExpiresAt     int64     `bson:"expires_at"`
	ExpiresAtDate time.Time `bson:"expires_at_date"`
}

// unlinkClaimDoc is an oauth_unlink_claims document: a user whose
// identities an unlink is deciding on.
type unlinkClaimDoc struct {
	UserID string `bson:"_id"`
	// Owner is random, so an unlink releases only its own claim, not one
	// another unlink took after this one's was deemed abandoned.
	Owner     string `bson:"owner"`
	ExpiresAt int64  `bson:"expires_at"`
}

func (s *Store) oauthIdentities() *mongo.Collection {
	return s.users.Database().Collection(oauthIdentitiesCollection)
}

func (s *Store) oauthStates() *mongo.Collection {
	return s.users.Database().Collection(oauthStatesCollection)
}

func (s *Store) stateClaims() *mongo.Collection {
	return s.users.Database().Collection(stateClaimsCollection)
}

func (s *Store) unlinkClaims() *mongo.Collection {
	return s.users.Database().Collection(unlinkClaimsCollection)
}

// CreateOAuthState stores a new sign-in.
func (s *Store) CreateOAuthState(ctx context.Context, st *store.OAuthState) error {
	_, err := s.oauthStates().InsertOne(ctx, oauthStateDoc{
		ID:            st.ID,
		Provider:      st.Provider,
		CodeVerifier:  st.CodeVerifier,
		Nonce:         st.Nonce,
		BrowserHash:   st.BrowserHash,
		RedirectTo:    st.RedirectTo,
		Mode:          st.Mode,
		LinkingUserID: optionalString(st.LinkingUserID),
		CreatedAt:     micros(st.CreatedAt),
		ExpiresAt:     micros(st.ExpiresAt),
		ExpiresAtDate: ttlDate(st.ExpiresAt),
	})
	if err != nil {
		return fmt.Errorf("mongo: create oauth state: %w", err)
	}
	return nil
}

// ClaimOAuthState marks the unused state started by the browser used and
// returns it; the claim document decides between concurrent callers (see
// the top of this file).
func (s *Store) ClaimOAuthState(ctx context.Context, id, browserHash string, now time.Time) (*store.OAuthState, error) {
	var d oauthStateDoc
	err := s.oauthStates().FindOne(ctx, bson.D{
		{Key: "_id", Value: id},
		{Key: "browser_hash", Value: browserHash},
		{Key: "used_at", Value: bson.D{{Key: "$exists", Value: false}}},
	}).Decode(&d)
	if err != nil {
		return nil, notFound("claim oauth state", err)
	}
	_, err = s.stateClaims().InsertOne(ctx, stateClaimDoc{StateID: d.ID, ExpiresAt: d.ExpiresAt, ExpiresAtDate: d.ExpiresAtDate})
	if isDuplicateKey(err) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("mongo: claim oauth state: %w", err)
	}
	used := micros(now)
	res, err := s.oauthStates().UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "used_at", Value: used}}}})
	if err != nil {
		return nil, fmt.Errorf("mongo: claim oauth state: mark it used: %w", err)
	}
	if res.MatchedCount == 0 {
		// Deleted meanwhile (DeleteUser, PurgeExpired).
		return nil, store.ErrNotFound
	}
	d.UsedAt = &used
	return d.state(), nil
}

// CompleteOAuthState records the outcome of a claimed state. Only the
// caller that claimed the state completes it, so the update has no rival.
func (s *Store) CompleteOAuthState(ctx context.Context, id, completionHash, userID string, wasNew bool, expiresAt time.Time) error {
	res, err := s.oauthStates().UpdateOne(ctx, bson.D{
		{Key: "_id", Value: id},
		{Key: "used_at", Value: bson.D{{Key: "$exists", Value: true}}},
	}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "completion_hash", Value: completionHash},
		{Key: "result_user_id", Value: userID},
		{Key: "was_new", Value: wasNew},
		{Key: "expires_at", Value: micros(expiresAt)},
		{Key: "expires_at_date", Value: ttlDate(expiresAt)},
	}}})
	if err != nil {
		return fmt.Errorf("mongo: complete oauth state: %w", err)
	}
	if res.MatchedCount == 0 {
		return store.ErrNotFound
	}
	return nil
}

// ConsumeOAuthCompletion takes the completed state whose completion id
// hashes to completionHash: of concurrent callers exactly one gets it.
func (s *Store) ConsumeOAuthCompletion(ctx context.Context, completionHash string) (*store.OAuthState, error) {
	if completionHash == "" {
		// "" is how CompletionHash reads before completion.
		return nil, store.ErrNotFound
	}
	var d oauthStateDoc
	if err := takeOne(ctx, s.oauthStates(), bson.D{{Key: "completion_hash", Value: completionHash}}, &d); err != nil {
		return nil, notFound("consume oauth completion", err)
	}
	// The claim has done its work; left behind, PurgeExpired takes it.
	_, _ = s.stateClaims().DeleteOne(ctx, bson.D{{Key: "_id", Value: d.ID}})
	return d.state(), nil
}

// IdentityBySubject returns the identity of the provider's subject.
func (s *Store) IdentityBySubject(ctx context.Context, provider, subject string) (*store.OAuthIdentity, error) {
	var d oauthIdentityDoc
	err := s.oauthIdentities().FindOne(ctx, bson.D{
		{Key: "provider", Value: provider},
		{Key: "subject_id", Value: subject},
	}).Decode(&d)
	if err != nil {
		return nil, notFound("identity by subject", err)
	}
	return d.identity()
}

// IdentitiesOf returns the user's identities, oldest link first. They are
// sorted here, ties by id as the other stores break them: MongoDB orders
// an ObjectId _id after every string one, and a user has only a few.
func (s *Store) IdentitiesOf(ctx context.Context, userID string) ([]store.OAuthIdentity, error) {
	cur, err := s.oauthIdentities().Find(ctx, bson.D{{Key: "user_id", Value: userID}})
	if err != nil {
		return nil, fmt.Errorf("mongo: identities of: %w", err)
	}
	var docs []oauthIdentityDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongo: identities of: %w", err)
	}
	out := make([]store.OAuthIdentity, 0, len(docs))
	for _, d := range docs {
		id, err := d.identity()
		if err != nil {
			return nil, err
		}
		out = append(out, *id)
	}
	slices.SortFunc(out, func(a, b store.OAuthIdentity) int {
		if c := a.LinkedAt.Compare(b.LinkedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// LinkIdentity stores a new identity of an existing user, assigning
// id.ID when it is empty. It inserts first and looks for the user second,
// taking the identity back if the user is gone. DeleteUser deletes the
// user first and the identities second, so whichever order the two run
// in, no identity outlives its user: an insert before DeleteUser's sweep
// goes with it, and one after it finds the user gone.
func (s *Store) LinkIdentity(ctx context.Context, id *store.OAuthIdentity) error {
	if id.ID == "" {
		id.ID = newID()
	}
	if err := s.insertIdentity(ctx, "link identity", id); err != nil {
		return err
	}
	err := s.users.FindOne(ctx, byID(id.UserID), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err == nil {
		return nil
	}
	s.undo(ctx, s.oauthIdentities(), byID(id.ID))
	return notFound("link identity", err)
}

// CreateUserWithIdentity creates u (assigning u.ID when it is empty) and
// then its first identity (assigning id.ID when empty, and setting
// id.UserID to u.ID). FerretDB has no transactions, so when the identity
// is refused the user is deleted again: afterwards both exist or
// neither. Until then the user exists without the identity, which is what
// a sign-in racing this one could see anyway. A crash in between leaves a
// password-less account without an identity, which nobody can sign in to
// and which holds its address until it is deleted (DeleteUser).
func (s *Store) CreateUserWithIdentity(ctx context.Context, u *store.User, id *store.OAuthIdentity) error {
	if err := s.CreateUser(ctx, u); err != nil {
		return err
	}
	if id.ID == "" {
		id.ID = newID()
	}
	id.UserID = u.ID
	if err := s.insertIdentity(ctx, "create user with identity", id); err != nil {
		s.undo(ctx, s.users, byID(u.ID))
		return err
	}
	return nil
}

// insertIdentity inserts id. Either unique index refusing it, the
// provider account's or the user's provider, is store.ErrIdentityTaken.
func (s *Store) insertIdentity(ctx context.Context, op string, id *store.OAuthIdentity) error {
	_, err := s.oauthIdentities().InsertOne(ctx, oauthIdentityDocFrom(id))
	if isDuplicateKey(err) {
		return store.ErrIdentityTaken
	}
	if err != nil {
		return fmt.Errorf("mongo: %s: %w", op, err)
	}
	return nil
}

// undo deletes the document a method inserted before it failed, also when
// the request's context has been cancelled meanwhile. A failure leaves
// what the method's comment says a crash would.
func (s *Store) undo(ctx context.Context, coll *mongo.Collection, filter bson.D) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	defer cancel()
	_, _ = coll.DeleteOne(ctx, filter)
}

// TouchIdentity sets the identity's LastUsedAt.
func (s *Store) TouchIdentity(ctx context.Context, identityID string, at time.Time) error {
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "last_used_at", Value: micros(at)}}}}
	if at.IsZero() {
		update = bson.D{{Key: "$unset", Value: bson.D{{Key: "last_used_at", Value: ""}}}}
	}
	res, err := s.oauthIdentities().UpdateOne(ctx, byID(identityID), update)
	if err != nil {
		return fmt.Errorf("mongo: touch identity: %w", err)
	}
	if res.MatchedCount == 0 {
		return store.ErrNotFound
	}
	return nil
}

// UnlinkIdentity deletes the user's identity of the provider unless it is
// their only way to sign in, deciding while it holds the user's unlink
// claim (see the top of this file). The claim orders unlinks of the user
// against each other; linking only adds a way to sign in, so it needs no
// claim. A password removed by a concurrent SetPassword("") is not
// ordered with it, unlike on the SQL stores, whose transaction locks the
// user.
func (s *Store) UnlinkIdentity(ctx context.Context, userID, provider string) error {
	release, err := s.claimUnlink(ctx, userID)
	if err != nil {
		return err
	}
	defer release()

	mine := bson.D{{Key: "user_id", Value: userID}, {Key: "provider", Value: provider}}
	if err := s.oauthIdentities().FindOne(ctx, mine).Err(); err != nil {
		return notFound("unlink identity", err)
	}
	others, err := s.oauthIdentities().CountDocuments(ctx, bson.D{
		{Key: "user_id", Value: userID},
		{Key: "provider", Value: bson.D{{Key: "$ne", Value: provider}}},
	}, options.Count().SetLimit(1))
	if err != nil {
		return fmt.Errorf("mongo: unlink identity: count the others: %w", err)
	}
	if others == 0 {
		var u userDoc
		err := s.users.FindOne(ctx, byID(userID), options.FindOne().SetProjection(bson.D{{Key: "hashed_password", Value: 1}})).Decode(&u)
		if err != nil {
			return notFound("unlink identity: read the password", err)
		}
		if stringOf(u.HashedPassword) == "" {
			return store.ErrLastSignInMethod
		}
	}
	res, err := s.oauthIdentities().DeleteOne(ctx, mine)
	if err != nil {
		return fmt.Errorf("mongo: unlink identity: %w", err)
	}
	if res.DeletedCount == 0 {
		// DeleteUser took it meanwhile.
		return store.ErrNotFound
	}
	return nil
}

// claimUnlink takes the user's unlink claim, waiting while another unlink
// holds it, and returns the function that releases it. A claim older than
// claimTTL was abandoned by a process that died holding it, and is
// deleted (by exactly one caller) and claimed anew.
func (s *Store) claimUnlink(ctx context.Context, userID string) (release func(), err error) {
	wait, cancel := context.WithTimeout(ctx, unlinkWait)
	defer cancel()
	claim := unlinkClaimDoc{UserID: userID, Owner: newID()}
	pause := time.Millisecond
	for {
		// Replicas' clocks must agree to well within claimTTL, as for the
		// consume claims (pending.go).
		now := time.Now()
		claim.ExpiresAt = micros(now.Add(claimTTL))
		_, err := s.unlinkClaims().InsertOne(wait, claim)
		if err == nil {
			return func() { s.releaseUnlink(ctx, claim) }, nil
		}
		if !isDuplicateKey(err) {
			return nil, fmt.Errorf("mongo: unlink identity: claim the user: %w", err)
		}
		res, err := s.unlinkClaims().DeleteOne(wait, bson.D{
			{Key: "_id", Value: userID},
			{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: micros(now)}}},
		})
		if err != nil {
			return nil, fmt.Errorf("mongo: unlink identity: clear an abandoned claim: %w", err)
		}
		if res.DeletedCount == 1 {
			continue
		}
		select {
		case <-wait.Done():
			return nil, fmt.Errorf("mongo: unlink identity: another unlink of the user holds it: %w", wait.Err())
		case <-time.After(pause):
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}

// releaseUnlink deletes the claim, also when the request's context has
// been cancelled meanwhile: left behind, it would hold up the user's next
// unlink until it is abandoned.
func (s *Store) releaseUnlink(ctx context.Context, claim unlinkClaimDoc) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	defer cancel()
	_, _ = s.unlinkClaims().DeleteOne(ctx, bson.D{{Key: "_id", Value: claim.UserID}, {Key: "owner", Value: claim.Owner}})
}

// deleteOAuthRows deletes the user's identities and the sign-ins in
// flight that would act on the user (linking to them, or signing them
// in); DeleteUser calls it after deleting the user.
func (s *Store) deleteOAuthRows(ctx context.Context, userID string) error {
	if _, err := s.oauthIdentities().DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}}); err != nil {
		return fmt.Errorf("mongo: delete user: oauth identities: %w", err)
	}
	_, err := s.oauthStates().DeleteMany(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "linking_user_id", Value: userID}},
		bson.D{{Key: "result_user_id", Value: userID}},
	}}})
	if err != nil {
		return fmt.Errorf("mongo: delete user: oauth states: %w", err)
	}
	return nil
}
