// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package storetest

import (
	"fmt"
	"testing"
	"time"

	"example.com/demo/internal/auth/store"
)

// runPending adds the pending registrations to the suite: several per
// address, contested when more than one was live, capped, renewable, and
// consumed together.
func (s suite) runPending(t *testing.T) {
	t.Run("PendingRegistration", s.pending)
	t.Run("PendingContested", s.pendingContested)
	t.Run("PendingContestedUnicode", s.pendingContestedUnicode)
	t.Run("PendingExpiredSibling", s.pendingExpiredSibling)
	t.Run("PendingKeep", s.pendingKeep)
	t.Run("RenewPending", s.renewPending)
	t.Run("ConsumePendingConcurrent", s.consumePendingConcurrent)
	t.Run("ConsumePendingAddressConcurrent", s.consumePendingAddressConcurrent)
}

// keepMany is a cap no test reaches.
const keepMany = 10

func checkPending(t *testing.T, got, want *store.PendingRegistration) {
	t.Helper()
	if got.ID != want.ID || got.Email != want.Email || got.PasswordHash != want.PasswordHash ||
		got.TokenHash != want.TokenHash || got.Contested != want.Contested {
		t.Errorf("pending = %+v, want %+v", got, want)
	}
	if (got.FullName == nil) != (want.FullName == nil) || (got.FullName != nil && *got.FullName != *want.FullName) {
		t.Errorf("pending FullName = %v, want %v", got.FullName, want.FullName)
	}
	checkTime(t, "pending CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, "pending ExpiresAt", got.ExpiresAt, want.ExpiresAt)
}

// checkPendingList compares PendingByEmail's answer with want, in order.
func checkPendingList(t *testing.T, what string, got []*store.PendingRegistration, want ...*store.PendingRegistration) {
	t.Helper()
	if len(got) != len(want) {
		ids := make([]string, len(got))
		for i, p := range got {
			ids[i] = p.TokenHash
		}
		t.Errorf("%s: %d rows %v, want %d", what, len(got), ids, len(want))
		return
	}
	for i := range got {
		checkPending(t, got[i], want[i])
	}
}

func mustPending(t *testing.T, st store.Store, email string) []*store.PendingRegistration {
	t.Helper()
	got, err := st.PendingByEmail(t.Context(), email)
	if err != nil {
		t.Fatalf("PendingByEmail(%+q): %v", email, err)
	}
	return got
}

// addPending stores a registration for email with token hash "hash-<name>"
// created at created and live for an hour.
func addPending(t *testing.T, st store.Store, email, name string, created time.Time, keep int) *store.PendingRegistration {
	t.Helper()
	p := &store.PendingRegistration{
		Email: email, PasswordHash: "pw-" + name, TokenHash: "hash-" + name,
		CreatedAt: created, ExpiresAt: created.Add(time.Hour),
	}
	if err := st.AddPending(t.Context(), p, keep); err != nil {
		t.Fatalf("AddPending(%s): %v", name, err)
	}
	return p
}

// contested returns a copy of p marked Contested.
func contested(p *store.PendingRegistration) *store.PendingRegistration {
	c := *p
	c.Contested = true
	return &c
}

func (s suite) pending(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	first := &store.PendingRegistration{
		Email: "Carol@Example.com", PasswordHash: "h1", FullName: ptr("Carol"), TokenHash: "hash-1",
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
	}
	if err := st.AddPending(ctx, first, keepMany); err != nil {
		t.Fatalf("AddPending: %v", err)
	}
	if first.ID == "" {
		t.Error("AddPending did not assign an ID")
	}
	if first.Contested {
		t.Error("the only registration for an address is Contested")
	}
	checkPendingList(t, "PendingByEmail (other case)", mustPending(t, st, "carol@example.com"), first)

	// Expired rows are returned and consumed too: expiry is the caller's
	// check.
	expired := &store.PendingRegistration{
		Email: "erin@example.com", PasswordHash: "h2", TokenHash: "hash-2",
		CreatedAt: t0, ExpiresAt: t0.Add(-time.Minute),
	}
	if err := st.AddPending(ctx, expired, keepMany); err != nil {
		t.Fatalf("AddPending(expired): %v", err)
	}
	if expired.ID == first.ID {
		t.Error("two registrations got the same ID")
	}
	checkPendingList(t, "PendingByEmail (expired row)", mustPending(t, st, "Erin@Example.com"), expired)
	got, err := st.ConsumePending(ctx, "hash-2", t0)
	if err != nil {
		t.Fatalf("ConsumePending(expired row): %v", err)
	}
	checkPending(t, got, expired)

	got, err = st.ConsumePending(ctx, "hash-1", t0)
	if err != nil {
		t.Fatalf("ConsumePending: %v", err)
	}
	checkPending(t, got, first)
	_, err = st.ConsumePending(ctx, "hash-1", t0)
	wantNotFound(t, "ConsumePending twice", err)
	_, err = st.ConsumePending(ctx, "never-issued", t0)
	wantNotFound(t, "ConsumePending(unknown)", err)

	// None is an empty answer, not an error.
	for _, email := range []string{"carol@example.com", "nobody@example.com"} {
		if got := mustPending(t, st, email); len(got) != 0 {
			t.Errorf("PendingByEmail(%s) = %d rows, want none", email, len(got))
		}
	}
}

func (s suite) pendingContested(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	first := addPending(t, st, "Carol@Example.com", "first", t0, keepMany)
	bystander := addPending(t, st, "dave@example.com", "dave", t0, keepMany)
	// A second sign-up for the address, in another case, while the first
	// is live: both are contested, the newest is listed first.
	second := addPending(t, st, "CAROL@example.com", "second", t0.Add(time.Minute), keepMany)
	if !second.Contested {
		t.Error("AddPending beside a live registration: p.Contested = false")
	}
	checkPendingList(t, "PendingByEmail", mustPending(t, st, "carol@EXAMPLE.com"), contested(second), contested(first))
	checkPendingList(t, "other address", mustPending(t, st, "dave@example.com"), bystander)

	// Following either link consumes the address: the registration comes
	// back contested and the other link is dead.
	got, err := st.ConsumePending(ctx, first.TokenHash, t0.Add(2*time.Minute))
	if err != nil {
		t.Fatalf("ConsumePending: %v", err)
	}
	checkPending(t, got, contested(first))
	_, err = st.ConsumePending(ctx, second.TokenHash, t0.Add(2*time.Minute))
	wantNotFound(t, "ConsumePending of the other registration of a consumed address", err)
	if got := mustPending(t, st, "carol@example.com"); len(got) != 0 {
		t.Errorf("PendingByEmail after consume = %d rows, want none", len(got))
	}
	checkPendingList(t, "other address after consume", mustPending(t, st, "dave@example.com"), bystander)

	// Once marked, a registration stays contested even when the other one
	// has expired by the time the link is followed: whoever follows it may
	// still not be the one who chose its password.
	a := addPending(t, st, "frank@example.com", "a", t0, keepMany)
	b := addPending(t, st, "frank@example.com", "b", t0.Add(30*time.Minute), keepMany)
	got, err = st.ConsumePending(ctx, b.TokenHash, a.ExpiresAt.Add(time.Minute))
	if err != nil {
		t.Fatalf("ConsumePending: %v", err)
	}
	if !got.Contested {
		t.Error("a registration marked contested came back uncontested after the other expired")
	}
}

func (s suite) pendingContestedUnicode(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	first := addPending(t, st, ostenComposed, "composed", t0, keepMany)
	second := addPending(t, st, ostenDecompLow, "decomposed", t0.Add(time.Second), keepMany)
	if first.Contested || !second.Contested {
		t.Errorf("Contested = %v, %v; want false, true", first.Contested, second.Contested)
	}
	for _, email := range []string{ostenComposed, ostenLower, ostenDecomposed} {
		checkPendingList(t, fmt.Sprintf("PendingByEmail(%+q)", email), mustPending(t, st, email),
			contested(second), contested(first))
	}
	if _, err := st.ConsumePending(ctx, second.TokenHash, t0); err != nil {
		t.Fatalf("ConsumePending: %v", err)
	}
	if got := mustPending(t, st, ostenLower); len(got) != 0 {
		t.Errorf("PendingByEmail after consume = %d rows, want none", len(got))
	}
}

// A registration whose link had already expired contests nothing: not
// when another is added, nor when another is consumed.
func (s suite) pendingExpiredSibling(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()

	// old expired exactly when fresh was created.
	old := addPending(t, st, "gina@example.com", "old", t0, keepMany)
	fresh := addPending(t, st, "Gina@example.com", "fresh", old.ExpiresAt, keepMany)
	if fresh.Contested {
		t.Error("AddPending beside an expired registration: p.Contested = true")
	}
	checkPendingList(t, "PendingByEmail", mustPending(t, st, "gina@example.com"), fresh, old)
	got, err := st.ConsumePending(ctx, fresh.TokenHash, fresh.CreatedAt.Add(time.Minute))
	if err != nil {
		t.Fatalf("ConsumePending: %v", err)
	}
	checkPending(t, got, fresh)
	// The expired one went with it.
	_, err = st.ConsumePending(ctx, old.TokenHash, fresh.CreatedAt.Add(time.Minute))
	wantNotFound(t, "ConsumePending of the expired registration", err)

	// A row that was not marked when the other was added, but is live
	// again (re-sent) when the other is consumed, contests it then.
	old = addPending(t, st, "hal@example.com", "old2", t0, keepMany)
	fresh = addPending(t, st, "hal@example.com", "fresh2", t0.Add(2*time.Hour), keepMany)
	if fresh.Contested {
		t.Fatal("AddPending beside an expired registration: p.Contested = true")
	}
	resent := t0.Add(2*time.Hour + time.Minute)
	if err := st.RenewPending(ctx, old.ID, "hash-resent", resent, resent.Add(time.Hour)); err != nil {
		t.Fatalf("RenewPending: %v", err)
	}
	got, err = st.ConsumePending(ctx, fresh.TokenHash, resent.Add(time.Minute))
	if err != nil {
		t.Fatalf("ConsumePending: %v", err)
	}
	if !got.Contested {
		t.Error("ConsumePending with a live registration beside it: Contested = false")
	}

	// The same, but the re-sent one has expired again by then: not
	// contested.
	old = addPending(t, st, "ivy@example.com", "old3", t0, keepMany)
	fresh = addPending(t, st, "ivy@example.com", "fresh3", t0.Add(2*time.Hour), keepMany)
	if err := st.RenewPending(ctx, old.ID, "hash-resent3", resent, resent.Add(time.Minute)); err != nil {
		t.Fatalf("RenewPending: %v", err)
	}
	got, err = st.ConsumePending(ctx, fresh.TokenHash, resent.Add(time.Minute))
	if err != nil {
		t.Fatalf("ConsumePending: %v", err)
	}
	if got.Contested {
		t.Error("ConsumePending beside a registration that expired exactly then: Contested = true")
	}
	_, err = st.ConsumePending(ctx, "hash-resent3", resent)
	wantNotFound(t, "ConsumePending of the registration consumed with the other", err)
}

func (s suite) pendingKeep(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	bystander := addPending(t, st, "bystander@example.com", "bystander", t0, keepMany)
	var all []*store.PendingRegistration
	for i := range 5 {
		all = append(all, addPending(t, st, "jo@example.com", fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second), 3))
	}
	// The newest three stay, newest first; the older links are dead.
	checkPendingList(t, "PendingByEmail", mustPending(t, st, "jo@example.com"),
		contested(all[4]), contested(all[3]), contested(all[2]))
	for _, p := range all[:2] {
		_, err := st.ConsumePending(ctx, p.TokenHash, t0)
		wantNotFound(t, "ConsumePending of a registration beyond the cap", err)
	}
	checkPendingList(t, "other address", mustPending(t, st, "bystander@example.com"), bystander)

	// keep counts the new row.
	for i := range 3 {
		addPending(t, st, "kim@example.com", fmt.Sprint("kim", i), t0.Add(time.Duration(i)*time.Second), 2)
	}
	if got := mustPending(t, st, "kim@example.com"); len(got) != 2 || got[0].TokenHash != "hash-kim2" || got[1].TokenHash != "hash-kim1" {
		t.Errorf("PendingByEmail with keep 2 = %d rows, want kim2, kim1", len(got))
	}
}

func (s suite) renewPending(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	p := &store.PendingRegistration{
		Email: "Lee@Example.com", PasswordHash: "h", FullName: ptr("Lee"), TokenHash: "hash-old",
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
	}
	if err := st.AddPending(ctx, p, keepMany); err != nil {
		t.Fatalf("AddPending: %v", err)
	}
	bystander := addPending(t, st, "bystander@example.com", "bystander", t0, keepMany)

	resent := t0.Add(10 * time.Minute)
	if err := st.RenewPending(ctx, p.ID, "hash-new", resent, resent.Add(time.Hour)); err != nil {
		t.Fatalf("RenewPending: %v", err)
	}
	want := *p
	want.TokenHash, want.CreatedAt, want.ExpiresAt = "hash-new", resent, resent.Add(time.Hour)
	checkPendingList(t, "PendingByEmail after renewal", mustPending(t, st, "lee@example.com"), &want)
	checkPendingList(t, "other address", mustPending(t, st, "bystander@example.com"), bystander)

	_, err := st.ConsumePending(ctx, "hash-old", resent)
	wantNotFound(t, "ConsumePending(old link after renewal)", err)
	got, err := st.ConsumePending(ctx, "hash-new", resent)
	if err != nil {
		t.Fatalf("ConsumePending(new link): %v", err)
	}
	checkPending(t, got, &want)

	wantNotFound(t, "RenewPending of a consumed registration", st.RenewPending(ctx, p.ID, "hash-x", resent, resent))
	for _, id := range []string{"missing", "507f1f77bcf86cd799439011", "0123456789abcdef0123456789abcdef", ""} {
		wantNotFound(t, fmt.Sprintf("RenewPending(%q)", id), st.RenewPending(ctx, id, "hash-y", resent, resent))
	}

	// Renewing keeps the mark.
	a := addPending(t, st, "max@example.com", "a", t0, keepMany)
	b := addPending(t, st, "max@example.com", "b", t0.Add(time.Second), keepMany)
	if err := st.RenewPending(ctx, a.ID, "hash-a2", resent, resent.Add(time.Hour)); err != nil {
		t.Fatalf("RenewPending: %v", err)
	}
	wantA := contested(a)
	wantA.TokenHash, wantA.CreatedAt, wantA.ExpiresAt = "hash-a2", resent, resent.Add(time.Hour)
	checkPendingList(t, "PendingByEmail after renewing a contested row", mustPending(t, st, "max@example.com"), wantA, contested(b))
}

func (s suite) consumePendingConcurrent(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	p := &store.PendingRegistration{
		Email: "race@example.com", PasswordHash: "h", TokenHash: "race-hash",
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
	}
	if err := st.AddPending(ctx, p, keepMany); err != nil {
		t.Fatalf("AddPending: %v", err)
	}
	exactlyOneWinner(t, race(func(int) error {
		got, err := st.ConsumePending(ctx, "race-hash", t0)
		if err == nil && got.Email != p.Email {
			return fmt.Errorf("winner got %q", got.Email)
		}
		return err
	}))
}

// Two links of one address followed at once: one account, not two.
func (s suite) consumePendingAddressConcurrent(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	a := addPending(t, st, "twice@example.com", "a", t0, keepMany)
	b := addPending(t, st, "TWICE@example.com", "b", t0.Add(time.Second), keepMany)
	exactlyOneWinner(t, race(func(i int) error {
		hash := a.TokenHash
		if i%2 == 1 {
			hash = b.TokenHash
		}
		got, err := st.ConsumePending(ctx, hash, t0)
		if err == nil && (got.TokenHash != hash || !got.Contested) {
			return fmt.Errorf("winner got %+v for %s", got, hash)
		}
		return err
	}))
	if got := mustPending(t, st, "twice@example.com"); len(got) != 0 {
		t.Errorf("PendingByEmail after the race = %d rows, want none", len(got))
	}
}
