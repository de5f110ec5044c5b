// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/store"
)

const (
	detailNotAdmin     = "Administrator privileges required."
	detailUserNotFound = "User not found."
	adminEmail         = "root@example.com"
	adminPassword      = "admin password 1"
)

// adminRoutes is every admin operation with a body that passes validation;
// {id} stands for a user id.
var adminRoutes = []struct {
	method, path string
	body         any
}{
	{http.MethodGet, "/admin/stats", nil},
	{http.MethodGet, "/admin/users", nil},
	{http.MethodGet, "/admin/users/{id}", nil},
	{http.MethodPatch, "/admin/users/{id}", map[string]any{"full_name": "X"}},
	{http.MethodDelete, "/admin/users/{id}", nil},
	{http.MethodPost, "/admin/users/{id}/resend-verification", nil},
	{http.MethodPost, "/admin/users/{id}/revoke-sessions", nil},
}

func withID(path, id string) string {
	return strings.ReplaceAll(path, "{id}", url.PathEscape(id))
}

// adminEnv is an Env (no verification) with an administrator signed in.
func adminEnv(t *testing.T, configure ...func(*config.Config)) (env *authtest.Env, adminID, token string) {
	t.Helper()
	env = newEnv(t, configure...)
	adminID, token = env.MustAdmin(t, adminEmail, adminPassword)
	env.Events.Reset()
	return env, adminID, token
}

func TestAdminRoutesRefuseWithoutAdministrator(t *testing.T) {
	t.Parallel()
	env, _, _ := adminEnv(t)
	userID, userToken := signUp(t, env, "alice@example.com", pw1)
	env.Events.Reset()
	for _, rt := range adminRoutes {
		path := withID(rt.path, userID)
		want401(t, env.Do(t, rt.method, path, rt.body), detailAuthRequired)
		want401(t, env.Do(t, rt.method, path, rt.body, authtest.Bearer("not-a-token")), detailBadToken)
		wantDetail(t, env.Admin(t, userToken, rt.method, path, rt.body), http.StatusForbidden, detailNotAdmin)
	}
	// Nothing happened to the user.
	wantStatus(t, env.Me(t, userToken), http.StatusOK)
	if names := env.Events.Names(); len(names) != 0 {
		t.Fatalf("refused admin requests fired %v", names)
	}
}

func TestAdminRoutesUnknownUser(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t)
	for _, id := range []string{"nope", strings.Repeat("0", 32), "00000000-0000-0000-0000-000000000000", "507f1f77bcf86cd799439011", "a b", "é"} {
		for _, rt := range adminRoutes {
			if !strings.Contains(rt.path, "{id}") {
				continue
			}
			wantDetail(t, env.Admin(t, token, rt.method, withID(rt.path, id), rt.body), http.StatusNotFound, detailUserNotFound)
		}
	}
}

func TestAdminStats(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t, withVerification)
	createUser(t, env, "active@example.com", pw1, true, true)
	createUser(t, env, "unverified@example.com", pw1, true, false)
	createUser(t, env, "disabled@example.com", pw1, false, true)
	wantStatus(t, env.Register(t, "pending1@example.com", pw1), http.StatusCreated)
	env.Clock.Advance(time.Hour)
	wantStatus(t, env.Register(t, "pending2@example.com", pw1), http.StatusCreated)

	r := env.Admin(t, token, http.MethodGet, "/admin/stats", nil)
	wantStatus(t, r, http.StatusOK)
	want := []string{"total_users", "active_users", "verified_users", "superusers", "pending_registrations"}
	if keys := jsonKeys(t, r.Body); !slices.Equal(keys, want) {
		t.Fatalf("stats keys %v, want %v", keys, want)
	}
	check := func(r *authtest.Response, total, active, verified, super, pending float64) {
		t.Helper()
		got := []any{r.JSON["total_users"], r.JSON["active_users"], r.JSON["verified_users"], r.JSON["superusers"], r.JSON["pending_registrations"]}
		if w := []any{total, active, verified, super, pending}; !slices.Equal(got, w) {
			t.Fatalf("stats %s, want %v", r, w)
		}
	}
	// The admin is active, verified and a superuser.
	check(r, 4, 3, 3, 1, 2)

	// The first pending registration expires: it no longer counts, though
	// its row is still there.
	env.Clock.Advance(time.Duration(env.Config.VerificationTokenTTLSeconds-3600) * time.Second)
	token = env.MustLogin(t, adminEmail, adminPassword) // the first session has expired
	check(env.Admin(t, token, http.MethodGet, "/admin/stats", nil), 4, 3, 3, 1, 1)
}

// listEmails fetches GET /admin/users with the query and returns the
// emails of the page and the answer.
func listEmails(t *testing.T, env *authtest.Env, token, query string) ([]string, *authtest.Response) {
	t.Helper()
	r := env.Admin(t, token, http.MethodGet, "/admin/users"+query, nil)
	wantStatus(t, r, http.StatusOK)
	if keys := jsonKeys(t, r.Body); !slices.Equal(keys, []string{"items", "total", "skip", "limit", "next_cursor"}) {
		t.Fatalf("list keys %v", keys)
	}
	items, _ := r.JSON["items"].([]any)
	var emails []string
	for _, it := range items {
		u, _ := it.(map[string]any)
		e, _ := u["email"].(string)
		emails = append(emails, e)
	}
	return emails, r
}

func TestAdminListUsers(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t)
	// Created a second apart, after the admin: newest first is the reverse.
	var created []string
	for i := range 5 {
		env.Clock.Advance(time.Second)
		email := fmt.Sprintf("user%d@example.com", i)
		createUser(t, env, email, pw1, true, true)
		created = append(created, email)
	}
	all := append(slices.Clone(created), adminEmail)
	slices.Reverse(all[:5])

	emails, r := listEmails(t, env, token, "")
	if !slices.Equal(emails, all) || r.JSON["total"] != 6.0 || r.JSON["skip"] != 0.0 || r.JSON["limit"] != 50.0 {
		t.Fatalf("default page: %v (%s), want %v", emails, r, all)
	}
	// Items are UserPublic, keys in contract order.
	raw := struct {
		Items []json.RawMessage `json:"items"`
	}{}
	if err := json.Unmarshal(r.Body, &raw); err != nil || len(raw.Items) != 6 {
		t.Fatalf("items: %v in %s", err, r)
	}
	item := &authtest.Response{Body: raw.Items[0]}
	if err := json.Unmarshal(raw.Items[0], &item.JSON); err != nil {
		t.Fatal(err)
	}
	wantUserPublic(t, item)

	emails, r = listEmails(t, env, token, "?skip=2&limit=3")
	if !slices.Equal(emails, all[2:5]) || r.JSON["total"] != 6.0 || r.JSON["skip"] != 2.0 || r.JSON["limit"] != 3.0 {
		t.Fatalf("skip 2 limit 3: %v (%s), want %v", emails, r, all[2:5])
	}
	emails, r = listEmails(t, env, token, "?skip=6&limit=200")
	if len(emails) != 0 || r.JSON["total"] != 6.0 {
		t.Fatalf("past the end: %s", r)
	}
	if _, r := listEmails(t, env, token, "?limit=1"); r.JSON["limit"] != 1.0 {
		t.Fatalf("limit 1: %s", r)
	}
}

// wantQueryError checks a 422 whose first error is at ["query", name].
func wantQueryError(t *testing.T, r *authtest.Response, name, typ string) {
	t.Helper()
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422: %s", r.Status, r)
	}
	list, _ := r.JSON["detail"].([]any)
	for _, item := range list {
		e, _ := item.(map[string]any)
		loc, _ := e["loc"].([]any)
		if len(loc) == 2 && loc[0] == "query" && loc[1] == name && e["type"] == typ && e["msg"] != "" {
			return
		}
	}
	t.Fatalf("no %s error at [\"query\", %q]: %s", typ, name, r)
}

func TestAdminListUsersBounds(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t)
	list := func(q string) *authtest.Response {
		return env.Admin(t, token, http.MethodGet, "/admin/users"+q, nil)
	}
	wantQueryError(t, list("?skip=-1"), "skip", "greater_than_equal")
	wantQueryError(t, list("?limit=0"), "limit", "greater_than_equal")
	wantQueryError(t, list("?limit=201"), "limit", "less_than_equal")
	wantQueryError(t, list("?limit=abc"), "limit", "int_parsing")
	wantQueryError(t, list("?skip=1.5"), "skip", "int_parsing")
	wantQueryError(t, list("?skip="), "skip", "int_parsing")
	wantQueryError(t, list("?limit=99999999999999999999999"), "limit", "int_parsing")
	// skip is bounded (deep pages take the cursor).
	wantQueryError(t, list("?skip=10001"), "skip", "less_than_equal")
	wantStatus(t, list("?skip=10000"), http.StatusOK)
	// A cursor is only what next_cursor gave.
	b64 := base64.RawURLEncoding.EncodeToString
	for _, c := range []string{"", "!!!", "abc=", b64([]byte("abc")), b64([]byte("123.")), b64([]byte(".id")),
		b64([]byte("12x.id")), b64([]byte("+12.id")), b64([]byte("012.id")), b64([]byte("1.a\x00b")), b64([]byte("1.\xff")),
		b64([]byte("99999999999999999999.id")), b64([]byte("1." + strings.Repeat("i", 201)))} {
		wantQueryError(t, list("?cursor="+url.QueryEscape(c)), "cursor", "value_error")
	}
	// Both wrong: both reported.
	r := list("?skip=-5&limit=500")
	wantQueryError(t, r, "skip", "greater_than_equal")
	wantQueryError(t, r, "limit", "less_than_equal")
	wantStatus(t, list("?skip=0&limit=200"), http.StatusOK)
}

func TestAdminListUsersEmailPrefix(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t)
	for _, e := range []string{"alice@example.com", "alicia@example.com", "a_b@example.com", "axb@example.com", "a.c@example.com", "abc@example.com"} {
		env.Clock.Advance(time.Second)
		createUser(t, env, e, pw1, true, true)
	}
	for _, c := range []struct {
		prefix string
		want   []string
	}{
		{"ALI", []string{"alicia@example.com", "alice@example.com"}},
		{"alice@", []string{"alice@example.com"}},
		{"a_", []string{"a_b@example.com"}},
		{"a%", nil},
		{"a.", []string{"a.c@example.com"}},
		{".*", nil},
		{"root", []string{adminEmail}},
	} {
		emails, r := listEmails(t, env, token, "?email="+url.QueryEscape(c.prefix))
		if !slices.Equal(emails, c.want) || r.JSON["total"] != float64(len(c.want)) {
			t.Errorf("email=%q: %v (total %v), want %v", c.prefix, emails, r.JSON["total"], c.want)
		}
	}
	// Paging applies within the matches.
	emails, r := listEmails(t, env, token, "?email=a&limit=2&skip=1")
	if len(emails) != 2 || r.JSON["total"] != 6.0 {
		t.Fatalf("email=a skip 1 limit 2: %v (%s)", emails, r)
	}
}

// pageAll follows next_cursor from the first page (limit per page) to the
// end, calling between after each page, and returns the emails in order.
func pageAll(t *testing.T, env *authtest.Env, token, query string, limit int, between func()) []string {
	t.Helper()
	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("next_cursor never ended")
		}
		q := fmt.Sprintf("?limit=%d%s", limit, query)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		emails, r := listEmails(t, env, token, q)
		all = append(all, emails...)
		next, isString := r.JSON["next_cursor"].(string)
		if r.JSON["next_cursor"] == nil {
			if len(emails) > limit {
				t.Fatalf("page of %d > limit %d", len(emails), limit)
			}
			return all
		}
		if !isString || next == "" || len(emails) != limit {
			t.Fatalf("next_cursor %v after a page of %d (limit %d)", r.JSON["next_cursor"], len(emails), limit)
		}
		cursor = next
		if between != nil {
			between()
		}
	}
}

func TestAdminListUsersCursor(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t)
	// 25 users; several share a creation time, so the id breaks the tie.
	for i := range 25 {
		if i%3 == 0 {
			env.Clock.Advance(time.Second)
		}
		createUser(t, env, fmt.Sprintf("user%02d@example.com", i), pw1, true, true)
	}
	want, r := listEmails(t, env, token, "?limit=200")
	if len(want) != 26 || r.JSON["next_cursor"] != nil {
		t.Fatalf("whole list: %v (%s)", want, r)
	}
	for _, limit := range []int{1, 7, 25, 26} {
		if got := pageAll(t, env, token, "", limit, nil); !slices.Equal(got, want) {
			t.Errorf("pages of %d: %v, want %v", limit, got, want)
		}
	}
	// Within a prefix too.
	var ones []string
	for _, e := range want {
		if strings.HasPrefix(e, "user1") {
			ones = append(ones, e)
		}
	}
	if got := pageAll(t, env, token, "&email=user1", 4, nil); len(ones) != 10 || !slices.Equal(got, ones) {
		t.Errorf("pages of email=user1: %v, want %v", got, ones)
	}
	// Users signing up while the list is read appear before the position
	// (newest first), so the pages still see everyone else exactly once.
	n := 0
	got := pageAll(t, env, token, "", 6, func() {
		env.Clock.Advance(time.Second)
		createUser(t, env, fmt.Sprintf("late%02d@example.com", n), pw1, true, true)
		n++
	})
	if !slices.Equal(got, want) {
		t.Errorf("pages while users sign up: %v, want %v", got, want)
	}
	// A cursor with skip counts from the cursor.
	_, first := listEmails(t, env, token, "?limit=5&email=user")
	cursor, _ := first.JSON["next_cursor"].(string)
	emails, _ := listEmails(t, env, token, "?limit=3&skip=2&email=user&cursor="+url.QueryEscape(cursor))
	if !slices.Equal(emails, want[7:10]) {
		t.Errorf("cursor + skip 2: %v, want %v", emails, want[7:10])
	}
}

func TestAdminGetUser(t *testing.T) {
	t.Parallel()
	env, adminID, token := adminEnv(t)
	id, _ := signUp(t, env, "alice@example.com", pw1)
	r := env.Admin(t, token, http.MethodGet, "/admin/users/"+id, nil)
	wantStatus(t, r, http.StatusOK)
	wantUserPublic(t, r)
	if r.Str("id") != id || r.Str("email") != "alice@example.com" || r.JSON["is_superuser"] != false {
		t.Fatalf("get user: %s", r)
	}
	r = env.Admin(t, token, http.MethodGet, "/admin/users/"+adminID, nil)
	if r.Str("email") != adminEmail || r.JSON["is_superuser"] != true || r.JSON["is_verified"] != true {
		t.Fatalf("get admin: %s", r)
	}
}

func patchUser(t *testing.T, env *authtest.Env, token, id string, body any) *authtest.Response {
	t.Helper()
	return env.Admin(t, token, http.MethodPatch, "/admin/users/"+id, body)
}

func TestAdminPatchUser(t *testing.T) {
	t.Parallel()
	env, adminID, token := adminEnv(t)
	id, _ := signUp(t, env, "alice@example.com", pw1)
	before := env.Admin(t, token, http.MethodGet, "/admin/users/"+id, nil)

	// {} and all-null change nothing, not even updated_at.
	env.Clock.Advance(time.Minute)
	for _, body := range []any{map[string]any{}, map[string]any{"is_active": nil, "is_superuser": nil, "full_name": nil}} {
		r := patchUser(t, env, token, id, body)
		wantStatus(t, r, http.StatusOK)
		if string(r.Body) != string(before.Body) {
			t.Fatalf("empty patch changed the user:\n%s\n%s", before.Body, r.Body)
		}
	}

	env.Events.Reset()
	r := patchUser(t, env, token, id, map[string]any{"is_superuser": true, "full_name": "Alice A."})
	wantStatus(t, r, http.StatusOK)
	wantUserPublic(t, r)
	if r.JSON["is_superuser"] != true || r.Str("full_name") != "Alice A." || r.JSON["is_active"] != true ||
		!timeField(t, r, "updated_at").Equal(env.Clock.Now()) {
		t.Fatalf("patch: %s", r)
	}
	ev := authtest.Of[auth.AdminUserUpdated](env.Events)
	if len(ev) != 1 || ev[0].Admin == nil || ev[0].Admin.ID != adminID || ev[0].User == nil || ev[0].User.ID != id ||
		!ev[0].User.IsSuperuser || ev[0].Changes.IsSuperuser == nil || !*ev[0].Changes.IsSuperuser ||
		ev[0].Changes.FullName == nil || *ev[0].Changes.FullName != "Alice A." || ev[0].Changes.IsActive != nil {
		t.Fatalf("admin_user_updated events %+v", ev)
	}
	if names := env.Events.Names(); !slices.Equal(names, []string{"admin_user_updated"}) {
		t.Fatalf("events %v", names)
	}

	// null leaves full_name alone (it cannot be cleared here); the change
	// is persisted.
	r = patchUser(t, env, token, id, map[string]any{"full_name": nil, "is_superuser": false})
	if r.Str("full_name") != "Alice A." || r.JSON["is_superuser"] != false {
		t.Fatalf("patch with null: %s", r)
	}
	if g := env.Admin(t, token, http.MethodGet, "/admin/users/"+id, nil); string(g.Body) != string(r.Body) {
		t.Fatalf("stored user %s differs from the answer %s", g.Body, r.Body)
	}
}

// TestAdminPatchRefusesControlAndBidiFullName: the admin API refuses the
// names PATCH /me and /register refuse (TestFullNameRefusesControlAndBidiCharacters).
func TestAdminPatchRefusesControlAndBidiFullName(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t)
	id, _ := signUp(t, env, "alice@example.com", pw1)
	for _, name := range badFullNames {
		wantValidation(t, patchUser(t, env, token, id, map[string]any{"full_name": name}), "full_name", "value_error")
	}
}

func TestAdminPatchUserValidation(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t)
	id, session := signUp(t, env, "alice@example.com", pw1)
	wantValidation(t, patchUser(t, env, token, id, map[string]any{"is_active": "no"}), "is_active", "bool_type")
	wantValidation(t, patchUser(t, env, token, id, map[string]any{"is_superuser": 1}), "is_superuser", "bool_type")
	wantValidation(t, patchUser(t, env, token, id, map[string]any{"full_name": strings.Repeat("x", 201)}), "full_name", "string_too_long")
	wantValidation(t, patchUser(t, env, token, id, map[string]any{"full_name": 5}), "full_name", "string_type")
	wantValidation(t, patchUser(t, env, token, id, map[string]any{"email": "x@example.com"}), "email", "extra_forbidden")
	wantValidation(t, patchUser(t, env, token, id, map[string]any{"IS_ACTIVE": false}), "IS_ACTIVE", "extra_forbidden")
	wantValidation(t, patchUser(t, env, token, id, "[]"), "", "model_attributes_type")
	wantMissingBody(t, patchUser(t, env, token, id, nil))
	wantStatus(t, patchUser(t, env, token, id, map[string]any{"full_name": strings.Repeat("é", 200)}), http.StatusOK)
	// Nothing refused reached the user.
	me := env.Me(t, session)
	if me.JSON["is_active"] != true || me.JSON["is_superuser"] != false {
		t.Fatalf("refused patches changed the user: %s", me)
	}
}

func TestAdminDisableKillsSessionsAtOnce(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t)
	id, s1 := signUp(t, env, "alice@example.com", pw1)
	s2 := env.MustLogin(t, "alice@example.com", pw1)

	r := patchUser(t, env, token, id, map[string]any{"is_active": false})
	wantStatus(t, r, http.StatusOK)
	if r.JSON["is_active"] != false {
		t.Fatalf("disable: %s", r)
	}
	want401(t, env.Me(t, s1), detailBadToken)
	want401(t, env.Me(t, s2), detailBadToken)
	wantDetail(t, env.Login(t, "alice@example.com", pw1), http.StatusForbidden, detailDisabled)

	// Enabling again lets the user sign in, but the old sessions stay dead.
	env.Clock.Advance(time.Second)
	wantStatus(t, patchUser(t, env, token, id, map[string]any{"is_active": true}), http.StatusOK)
	want401(t, env.Me(t, s1), detailBadToken)
	want401(t, env.Me(t, s2), detailBadToken)
	wantStatus(t, env.Me(t, env.MustLogin(t, "alice@example.com", pw1)), http.StatusOK)
}

func TestAdminCanDemoteThemselves(t *testing.T) {
	t.Parallel()
	env, adminID, token := adminEnv(t)
	wantStatus(t, patchUser(t, env, token, adminID, map[string]any{"is_superuser": false}), http.StatusOK)
	wantDetail(t, env.Admin(t, token, http.MethodGet, "/admin/stats", nil), http.StatusForbidden, detailNotAdmin)
}

func TestAdminDeleteUserCascades(t *testing.T) {
	t.Parallel()
	env, adminID, token := adminEnv(t)
	id, session := signUp(t, env, "Alice@Example.com", pw1)
	keepID, keepSession := signUp(t, env, "bob@example.com", pw1)
	st := sideStore(t, env)
	ctx := context.Background()

	// Give both users a pending row, an emailed token and login failures.
	for _, u := range []struct{ id, email string }{{id, "alice@example.com"}, {keepID, "bob@example.com"}} {
		if err := st.AddPending(ctx, &store.PendingRegistration{
			Email: u.email, PasswordHash: "h", TokenHash: "pending-" + u.id,
			CreatedAt: env.Clock.Now(), ExpiresAt: env.Clock.Now().Add(time.Hour),
		}, 5); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateAccountToken(ctx, &store.AccountToken{
			TokenHash: "link-" + u.id, UserID: u.id, Purpose: store.PurposeEmailChange, NewEmail: "moved-" + u.email, Email: u.email,
			CreatedAt: env.Clock.Now(), ExpiresAt: env.Clock.Now().Add(time.Hour),
		}); err != nil {
			t.Fatal(err)
		}
		wantDetail(t, env.Login(t, u.email, pw2), http.StatusUnauthorized, detailBadLogin)
	}
	env.Events.Reset()

	r := env.Admin(t, token, http.MethodDelete, "/admin/users/"+id, nil)
	wantMessage(t, r, http.StatusOK, "User Alice@example.com deleted.")
	if names := env.Events.Names(); !slices.Equal(names, []string{"user_deleted", "admin_user_deleted"}) {
		t.Fatalf("events %v", names)
	}
	del := authtest.Of[auth.AdminUserDeleted](env.Events)
	if del[0].Admin.ID != adminID || del[0].User.ID != id || authtest.Of[auth.UserDeleted](env.Events)[0].User.ID != id {
		t.Fatalf("delete events %+v", env.Events.Events())
	}

	want401(t, env.Me(t, session), detailBadToken)
	wantDetail(t, env.Admin(t, token, http.MethodGet, "/admin/users/"+id, nil), http.StatusNotFound, detailUserNotFound)
	wantDetail(t, env.Admin(t, token, http.MethodDelete, "/admin/users/"+id, nil), http.StatusNotFound, detailUserNotFound)
	if p, err := st.PendingByEmail(ctx, "alice@example.com"); err != nil || len(p) != 0 {
		t.Errorf("pending rows after delete: %d, %v", len(p), err)
	}
	if _, err := st.ConsumeAccountToken(ctx, "link-"+id, store.PurposeEmailChange, env.Clock.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("account token after delete: %v", err)
	}
	window := env.Clock.Now().Add(-time.Hour)
	if f, err := st.LoginFailuresSince(ctx, "alice@example.com", window); err != nil || len(f) != 0 {
		t.Errorf("login failures after delete: %v, %v", f, err)
	}

	// The other user keeps everything.
	wantStatus(t, env.Me(t, keepSession), http.StatusOK)
	if p, err := st.PendingByEmail(ctx, "bob@example.com"); err != nil || len(p) != 1 {
		t.Errorf("other user's pending rows: %d, %v", len(p), err)
	}
	if _, err := st.ConsumeAccountToken(ctx, "link-"+keepID, store.PurposeEmailChange, env.Clock.Now()); err != nil {
		t.Errorf("other user's account token: %v", err)
	}
	if f, err := st.LoginFailuresSince(ctx, "bob@example.com", window); err != nil || len(f) != 1 {
		t.Errorf("other user's login failures: %v, %v", f, err)
	}
	// The address is free again.
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
}

func TestAdminResendVerificationThenVerify(t *testing.T) {
	t.Parallel()
	env, adminID, token := adminEnv(t, withVerification)
	u := createUser(t, env, "alice@example.com", pw1, true, false)
	wantDetail(t, env.Login(t, "alice@example.com", pw1), http.StatusForbidden, detailNotVerified)
	env.Events.Reset()

	r := env.Admin(t, token, http.MethodPost, "/admin/users/"+u.ID+"/resend-verification", nil)
	wantMessage(t, r, http.StatusAccepted, "Verification email sent to alice@example.com.")
	if names := env.Events.Names(); !slices.Equal(names, []string{"verification_requested", "admin_verification_resent"}) {
		t.Fatalf("events %v", names)
	}
	ev := authtest.Of[auth.AdminVerificationResent](env.Events)
	if ev[0].Admin.ID != adminID || ev[0].User.ID != u.ID {
		t.Fatalf("admin_verification_resent %+v", ev[0])
	}
	tok := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	if vr := authtest.Of[auth.VerificationRequested](env.Events)[0]; vr.Email != "alice@example.com" ||
		!strings.Contains(vr.URL, tok) || strings.Contains(vr.URLWithoutToken, tok) {
		t.Fatalf("verification_requested %+v", vr)
	}

	v := env.Do(t, http.MethodPost, "/verify", map[string]any{"token": tok})
	wantStatus(t, v, http.StatusOK)
	if v.Str("id") != u.ID || v.JSON["is_verified"] != true {
		t.Fatalf("verify: %s, want the existing account %s verified", v, u.ID)
	}
	g := env.Admin(t, token, http.MethodGet, "/admin/users/"+u.ID, nil)
	if g.JSON["is_verified"] != true {
		t.Fatalf("after verify: %s", g)
	}
	// The password is still the account's own.
	wantStatus(t, env.Me(t, env.MustLogin(t, "alice@example.com", pw1)), http.StatusOK)

	wantDetail(t, env.Admin(t, token, http.MethodPost, "/admin/users/"+u.ID+"/resend-verification", nil),
		http.StatusBadRequest, "User is already verified.")
}

func TestAdminResendVerificationPasswordless(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t, withVerification)
	u := createUser(t, env, "google@example.com", "", true, false)
	r := env.Admin(t, token, http.MethodPost, "/admin/users/"+u.ID+"/resend-verification", nil)
	if r.Status != http.StatusBadRequest || r.Detail() == "" {
		t.Fatalf("password-less resend: %s, want 400", r)
	}
	settle(t, env)
	if n := len(env.Mail.Messages()); n != 0 {
		t.Fatalf("%d emails sent for a refused resend", n)
	}
}

func TestAdminRevokeSessions(t *testing.T) {
	t.Parallel()
	env, adminID, token := adminEnv(t)
	id, s1 := signUp(t, env, "alice@example.com", pw1)
	s2 := env.MustLogin(t, "alice@example.com", pw1)
	_, bob := signUp(t, env, "bob@example.com", pw1)
	before := env.Admin(t, token, http.MethodGet, "/admin/users/"+id, nil)
	env.Events.Reset()

	env.Clock.Advance(time.Minute)
	r := env.Admin(t, token, http.MethodPost, "/admin/users/"+id+"/revoke-sessions", nil)
	wantMessage(t, r, http.StatusOK, "Sessions of alice@example.com revoked.")
	ev := authtest.Of[auth.AdminSessionsRevoked](env.Events)
	if len(ev) != 1 || ev[0].Admin.ID != adminID || ev[0].User.ID != id {
		t.Fatalf("admin_sessions_revoked events %+v", env.Events.Events())
	}
	want401(t, env.Me(t, s1), detailBadToken)
	want401(t, env.Me(t, s2), detailBadToken)
	wantStatus(t, env.Me(t, bob), http.StatusOK)
	wantStatus(t, env.Me(t, token), http.StatusOK)
	// The account itself is unchanged and can sign in again.
	if after := env.Admin(t, token, http.MethodGet, "/admin/users/"+id, nil); string(after.Body) != string(before.Body) {
		t.Fatalf("revoking sessions changed the account:\n%s\n%s", before.Body, after.Body)
	}
	env.Clock.Advance(time.Second)
	wantStatus(t, env.Me(t, env.MustLogin(t, "alice@example.com", pw1)), http.StatusOK)
}

func TestAdminRouterSwitch(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t)
	ops := checkOpenAPIMatchesRoutes(t, env)
	for _, rt := range adminRoutes {
		op := rt.method + " " + strings.ReplaceAll(rt.path, "{id}", "{user_id}")
		if !ops[op] {
			t.Errorf("openapi.json lacks %s", op)
		}
	}

	off, _, offToken := adminEnv(t, func(c *config.Config) { c.EnableAdminRouter = false })
	for _, rt := range adminRoutes {
		wantDetail(t, off.Admin(t, offToken, rt.method, withID(rt.path, "x"), rt.body), http.StatusNotFound, detailNotFound)
	}
	for op := range checkOpenAPIMatchesRoutes(t, off) {
		if strings.Contains(op, "/admin/") {
			t.Errorf("openapi.json documents %s with the admin router off", op)
		}
	}
	wantStatus(t, env.Admin(t, token, http.MethodGet, "/admin/stats", nil), http.StatusOK)
}

// RevokeSessions is the admin action as a method: it ends every session of
// the user, and only a superuser may call it.
func TestRevokeSessionsDomainAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	adminID, _ := env.MustAdmin(t, "root@example.com", pw1)
	aliceID, alice := signUp(t, env, "alice@example.com", pw1)
	ctx := context.Background()
	admin, err := env.Auth.UserByToken(ctx, env.MustLogin(t, "root@example.com", pw1))
	if err != nil || admin.ID != adminID {
		t.Fatalf("admin: %v, %v", admin, err)
	}
	notAdmin, err := env.Auth.UserByToken(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Auth.RevokeSessions(ctx, notAdmin, aliceID); !errors.Is(err, auth.ErrNotAdmin) {
		t.Fatalf("by a non-admin: %v, want ErrNotAdmin", err)
	}
	if _, err := env.Auth.RevokeSessions(ctx, admin, "no-such-user"); !errors.Is(err, auth.ErrUserNotFound) {
		t.Fatalf("unknown user: %v, want ErrUserNotFound", err)
	}
	u, err := env.Auth.RevokeSessions(ctx, admin, aliceID)
	if err != nil || u.ID != aliceID {
		t.Fatalf("RevokeSessions: %v, %v", u, err)
	}
	want401(t, env.Me(t, alice), detailBadToken)
}

func TestAdminEventNames(t *testing.T) {
	t.Parallel()
	checkEventNames(t, map[auth.Event]string{
		auth.UserDeleted{}:             "user_deleted",
		auth.AdminUserUpdated{}:        "admin_user_updated",
		auth.AdminUserDeleted{}:        "admin_user_deleted",
		auth.AdminSessionsRevoked{}:    "admin_sessions_revoked",
		auth.AdminVerificationResent{}: "admin_verification_resent",
	})
}
