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
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"example.com/demo/internal/auth/store"
)

// Pending registrations without transactions.
//
// An address may have several pending registrations, one per sign-up. The
// SQL stores add, mark and trim them, and consume one together with the
// others, each in one transaction. Here every step is a single-document
// operation or a filtered multi-document one, ordered so that what the
// caller is told still holds:
//
//   - AddPending inserts first and looks for others second. Of two sign-ups
//     for one address racing each other, the one that looks last sees the
//     other's row, so whenever two live rows coexist at least one of the
//     two calls marks them all contested. (The call that looked first may
//     have told its caller "not contested" while its row got marked a
//     moment later; the stored mark is what ConsumePending returns.)
//   - ConsumePending needs "exactly one winner" across all the rows of an
//     address, and the one atomic step both MongoDB and FerretDB offer,
//     deleting one document, only decides between callers of the same row:
//     two links of one address followed at once would each delete their
//     own row and both win. So a consume first claims the address: it
//     inserts {_id: email_key} into pending_claims, which the _id index
//     lets exactly one caller do. Whoever holds the claim takes its row and
//     deletes the others; a caller that finds the address claimed gets
//     store.ErrNotFound, since its row is about to go with the winner's.
//     The claim is deleted when the consume returns.

// claimTTL is how long a consume may hold an address. It needs a few round
// trips; a claim older than this was left by a process that died between
// claiming and releasing, and the next consume of the address (or
// PurgeExpired) deletes it. Replicas' clocks must agree to well within it.
const claimTTL = time.Minute

// maxTakeTries bounds ConsumePending's reads of its row. A row can change
// under it in two ways, renewed (its token changes, and it is no longer
// this caller's) or marked contested (once), so two reads suffice.
const maxTakeTries = 3

// claimDoc is a pending_claims document: an address being consumed.
type claimDoc struct {
	// Key is the address's email_key.
	Key string `bson:"_id"`
	// Owner is random, so a consume releases only its own claim, not one
	// another consume took after this one's was deemed abandoned.
	Owner     string `bson:"owner"`
	ExpiresAt int64  `bson:"expires_at"`
}

// AddPending stores p beside any other registrations for its address,
// assigning p.ID when it is empty, marks them all contested when another
// was live at p.CreatedAt, and then keeps only the newest keep of the
// address (see the top of this file for the order).
func (s *Store) AddPending(ctx context.Context, p *store.PendingRegistration, keep int) error {
	if keep < 2 {
		return fmt.Errorf("mongo: add pending: keep is %d, want at least 2", keep)
	}
	if p.ID == "" {
		p.ID = newID()
	}
	p.Contested = false
	doc := pendingDocFrom(p)
	if _, err := s.pending.InsertOne(ctx, doc); err != nil {
		return fmt.Errorf("mongo: add pending: insert: %w", err)
	}
	if err := s.markContested(ctx, p, doc); err != nil {
		// The caller will not mail this link; take the row back so it does
		// not stand unmarked beside another. If that fails as well, the row
		// is still harmless: nobody has its token, and consuming the other
		// row deletes it and counts it as contesting.
		_, _ = s.pending.DeleteOne(ctx, bson.D{{Key: "_id", Value: doc.ID}})
		return err
	}
	return s.trimPending(ctx, doc.EmailKey, keep)
}

// markContested marks every registration for the address of doc (just
// inserted) contested when another one was live at its creation, and sets
// p.Contested to match. Rows that had all expired by then contest nothing:
// their links no longer work.
func (s *Store) markContested(ctx context.Context, p *store.PendingRegistration, doc pendingDoc) error {
	live, err := s.pending.CountDocuments(ctx, bson.D{
		{Key: "email_key", Value: doc.EmailKey},
		{Key: "_id", Value: bson.D{{Key: "$ne", Value: doc.ID}}},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: doc.CreatedAt}}},
	}, options.Count().SetLimit(1))
	if err != nil {
		return fmt.Errorf("mongo: add pending: look for others: %w", err)
	}
	if live == 0 {
		return nil
	}
	_, err = s.pending.UpdateMany(ctx, bson.D{{Key: "email_key", Value: doc.EmailKey}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "contested", Value: true}}}})
	if err != nil {
		return fmt.Errorf("mongo: add pending: mark contested: %w", err)
	}
	p.Contested = true
	return nil
}

// trimPending deletes all but the newest keep registrations for the
// address. Two sign-ups trimming at once may both delete a row; deleting
// is idempotent, so the newest keep survive either way.
func (s *Store) trimPending(ctx context.Context, key string, keep int) error {
	cur, err := s.pending.Find(ctx, bson.D{{Key: "email_key", Value: key}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "created_at", Value: 1}}))
	if err != nil {
		return fmt.Errorf("mongo: add pending: trim: %w", err)
	}
	var rows []pendingDoc
	if err := cur.All(ctx, &rows); err != nil {
		return fmt.Errorf("mongo: add pending: trim: %w", err)
	}
	if len(rows) <= keep {
		return nil
	}
	if err := sortNewestFirst(rows); err != nil {
		return err
	}
	old := bson.A{}
	for _, r := range rows[keep:] {
		old = append(old, r.ID)
	}
	if _, err := s.pending.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: old}}}}); err != nil {
		return fmt.Errorf("mongo: add pending: trim: %w", err)
	}
	return nil
}

// sortNewestFirst orders registrations as PendingByEmail returns them:
// by creation time, then id, both descending. It sorts here rather than on
// the server because MongoDB orders an ObjectId _id after every string one,
// whereas the other stores compare ids as the strings they are; an address
// has only a handful of rows.
func sortNewestFirst(rows []pendingDoc) error {
	ids := make(map[any]string, len(rows))
	for _, r := range rows {
		id, err := idString(r.ID)
		if err != nil {
			return err
		}
		ids[r.ID] = id
	}
	slices.SortFunc(rows, func(a, b pendingDoc) int {
		if c := cmp.Compare(b.CreatedAt, a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(ids[b.ID], ids[a.ID])
	})
	return nil
}

// PendingByEmail returns the registrations for email, newest first,
// expired or not.
func (s *Store) PendingByEmail(ctx context.Context, email string) ([]*store.PendingRegistration, error) {
	cur, err := s.pending.Find(ctx, bson.D{{Key: "email_key", Value: store.EmailKey(email)}})
	if err != nil {
		return nil, fmt.Errorf("mongo: pending by email: %w", err)
	}
	var docs []pendingDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongo: pending by email: %w", err)
	}
	if err := sortNewestFirst(docs); err != nil {
		return nil, err
	}
	out := make([]*store.PendingRegistration, 0, len(docs))
	for _, d := range docs {
		p, err := d.pending()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// RenewPending gives registration id a new token hash, creation time and
// expiry; the old link stops working. The contested mark stays.
func (s *Store) RenewPending(ctx context.Context, id, tokenHash string, createdAt, expiresAt time.Time) error {
	res, err := s.pending.UpdateOne(ctx, byID(id), bson.D{{Key: "$set", Value: bson.D{
		{Key: "token_hash", Value: tokenHash},
		{Key: "created_at", Value: micros(createdAt)},
		{Key: "expires_at", Value: micros(expiresAt)},
		{Key: "expires_at_date", Value: ttlDate(expiresAt)},
	}}})
	if err != nil {
		return fmt.Errorf("mongo: renew pending: %w", err)
	}
	if res.MatchedCount == 0 {
		return store.ErrNotFound
	}
	return nil
}

// ConsumePending deletes and returns the registration with the token hash
// together with every other one for its address. Of concurrent calls for
// the registrations of one address exactly one gets a row (see the top of
// this file); the row is contested when it was marked so or when one of
// the others was still live at now.
func (s *Store) ConsumePending(ctx context.Context, tokenHash string, now time.Time) (*store.PendingRegistration, error) {
	byToken := bson.D{{Key: "token_hash", Value: tokenHash}}
	var d pendingDoc
	if err := s.pending.FindOne(ctx, byToken).Decode(&d); err != nil {
		// An unknown token claims nothing, so guessing links cannot block
		// an address.
		return nil, notFound("consume pending", err)
	}
	release, err := s.claimAddress(ctx, d.EmailKey, now)
	if err != nil {
		return nil, err
	}
	defer release()

	// Take the row as read: the delete repeats the token and the mark, so a
	// row renewed or marked since the read is read again rather than
	// returned with a stale mark.
	for try := 1; ; try++ {
		contested := bson.D{{Key: "$ne", Value: true}} // absent in old rows
		if d.Contested {
			contested = bson.D{{Key: "$eq", Value: true}}
		}
		res, err := s.pending.DeleteOne(ctx, bson.D{
			{Key: "_id", Value: d.ID},
			{Key: "token_hash", Value: tokenHash},
			{Key: "contested", Value: contested},
		})
		if err != nil {
			return nil, fmt.Errorf("mongo: consume pending: %w", err)
		}
		if res.DeletedCount == 1 {
			break
		}
		if try == maxTakeTries {
			return nil, store.ErrNotFound
		}
		if err := s.pending.FindOne(ctx, byToken).Decode(&d); err != nil {
			return nil, notFound("consume pending", err)
		}
	}

	// The others go in two deletes split at now, so the live ones are
	// counted exactly. A row another sign-up adds after the first delete
	// is a registration of its own and stays (the second delete takes only
	// expired rows). Once the own row is gone there is no going back: if
	// this fails, the caller gets the error, not a row that might wrongly
	// look uncontested.
	live, err := s.pending.DeleteMany(ctx, bson.D{
		{Key: "email_key", Value: d.EmailKey},
		{Key: "_id", Value: bson.D{{Key: "$ne", Value: d.ID}}},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: micros(now)}}},
	})
	if err != nil {
		return nil, fmt.Errorf("mongo: consume pending: delete the others: %w", err)
	}
	if _, err := s.pending.DeleteMany(ctx, bson.D{
		{Key: "email_key", Value: d.EmailKey},
		{Key: "_id", Value: bson.D{{Key: "$ne", Value: d.ID}}},
		{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: micros(now)}}},
	}); err != nil {
		return nil, fmt.Errorf("mongo: consume pending: delete the others: %w", err)
	}
	p, err := d.pending()
	if err != nil {
		return nil, err
	}
	p.Contested = d.Contested || live.DeletedCount > 0
	return p, nil
}

// claimAddress takes the consume claim on an address (see the top of this
// file) and returns the function that releases it. store.ErrNotFound means
// another consume holds it.
func (s *Store) claimAddress(ctx context.Context, key string, now time.Time) (release func(), err error) {
	claim := claimDoc{Key: key, Owner: newID(), ExpiresAt: micros(now.Add(claimTTL))}
	for range 2 {
		_, err := s.claims.InsertOne(ctx, claim)
		if err == nil {
			return func() { s.releaseClaim(ctx, claim) }, nil
		}
		if !isDuplicateKey(err) {
			return nil, fmt.Errorf("mongo: consume pending: claim the address: %w", err)
		}
		// Held. A live claim's holder is the one that gets a row; an
		// abandoned one is deleted (by exactly one caller) and claimed anew.
		res, err := s.claims.DeleteOne(ctx, bson.D{
			{Key: "_id", Value: key},
			{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: micros(now)}}},
		})
		if err != nil {
			return nil, fmt.Errorf("mongo: consume pending: clear an abandoned claim: %w", err)
		}
		if res.DeletedCount == 0 {
			return nil, store.ErrNotFound
		}
	}
	return nil, store.ErrNotFound
}

// releaseClaim deletes the claim, also when the request's context has been
// cancelled meanwhile: left behind, it would turn away the address's next
// consume until it is abandoned. A failure only does that.
func (s *Store) releaseClaim(ctx context.Context, claim claimDoc) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	defer cancel()
	_, _ = s.claims.DeleteOne(ctx, bson.D{{Key: "_id", Value: claim.Key}, {Key: "owner", Value: claim.Owner}})
}
