// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"example.com/demo/internal/auth/store"
)

// The admin API: statistics, the user list, and an operator's changes to
// one user. Every route needs a session of a superuser (401 without one,
// 403 for anyone else) and fires an event naming the administrator, so a
// handler registered with WithEventHandler can keep an audit log. It is
// served unless enable_admin_router is false.

// adminRoutes is the admin part of the route table (routes.go).
func (a *Auth) adminRoutes() []route {
	return []route{
		{http.MethodGet, "/admin/stats", a.adminOnly(a.handleAdminStats)},
		{http.MethodGet, "/admin/users", a.adminOnly(a.handleAdminListUsers)},
		{http.MethodGet, "/admin/users/{user_id}", a.adminOnly(a.handleAdminGetUser)},
		{http.MethodPatch, "/admin/users/{user_id}", a.adminOnly(a.handleAdminUpdateUser)},
		{http.MethodDelete, "/admin/users/{user_id}", a.adminOnly(a.handleAdminDeleteUser)},
		{http.MethodPost, "/admin/users/{user_id}/resend-verification", a.adminOnly(a.handleAdminResendVerification)},
		{http.MethodPost, "/admin/users/{user_id}/revoke-sessions", a.adminOnly(a.handleAdminRevokeSessions)},
	}
}

// adminOnly runs h for superusers (RequireAdmin); admin is the acting
// administrator.
func (a *Auth) adminOnly(h func(w http.ResponseWriter, r *http.Request, admin *store.User)) http.HandlerFunc {
	return a.RequireAdmin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		admin, _ := UserFrom(r.Context())
		h(w, r, admin)
	})).ServeHTTP
}

// Paging of GET /admin/users. skip is counted row by row, so it is bounded;
// the cursor reaches any depth at the cost of a shallow page.
const (
	adminDefaultLimit = 50
	adminMaxLimit     = 200
	adminMaxSkip      = 10000
)

type statsResponse struct {
	TotalUsers           int `json:"total_users"`
	ActiveUsers          int `json:"active_users"`
	VerifiedUsers        int `json:"verified_users"`
	Superusers           int `json:"superusers"`
	PendingRegistrations int `json:"pending_registrations"`
}

type userListResponse struct {
	Items []UserPublic `json:"items"`
	Total int          `json:"total"`
	Skip  int          `json:"skip"`
	Limit int          `json:"limit"`
	// NextCursor continues the list after the last item; null when there
	// is nothing after it.
	NextCursor *string `json:"next_cursor"`
}

// GET /admin/stats
//
// Pending registrations count only those whose link has not expired.
func (a *Auth) handleAdminStats(w http.ResponseWriter, r *http.Request, _ *store.User) {
	st, err := a.store.Stats(r.Context(), a.now())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, statsResponse{
		TotalUsers:           st.TotalUsers,
		ActiveUsers:          st.ActiveUsers,
		VerifiedUsers:        st.VerifiedUsers,
		Superusers:           st.Superusers,
		PendingRegistrations: st.PendingRegistrations,
	})
}

// GET /admin/users?limit=50&email=prefix&cursor=...  (or &skip=0)
//
// Newest first (ties by id). 1 ≤ limit ≤ 200, 0 ≤ skip ≤ 10000 and a
// cursor as next_cursor gave it, else 422 in FastAPI's shape. email keeps
// the users whose address starts with it (case-insensitive, every
// character literal); total counts all matches, not just the page.
// next_cursor (null at the end) continues after the page's last item, at
// the same cost however deep; it stays valid while users come and go, and
// a page after it starts after that user's position even if the user was
// deleted. skip, kept for compatibility, reads and discards the rows it
// skips, so deep pages get slower (hence its bound); with a cursor it
// counts from the cursor.
func (a *Auth) handleAdminListUsers(w http.ResponseWriter, r *http.Request, _ *store.User) {
	q := r.URL.Query()
	var errs []validationError
	skip := queryInt(q, "skip", 0, 0, adminMaxSkip, &errs)
	limit := queryInt(q, "limit", adminDefaultLimit, 1, adminMaxLimit, &errs)
	var after *store.UserCursor
	if q.Has("cursor") {
		text := q.Get("cursor")
		c, ok := decodeUserCursor(text)
		if !ok {
			input, _ := json.Marshal(text)
			errs = append(errs, validationError{Type: "value_error", Loc: []any{"query", "cursor"}, Input: input,
				Msg: "Value error, not a cursor this API returned as next_cursor", Ctx: map[string]any{"error": "invalid cursor"}})
		}
		after = c
	}
	if len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, validationErrors{Detail: errs})
		return
	}
	// One more than the page tells whether anything follows it.
	users, total, err := a.store.ListUsers(r.Context(), store.ListUsersParams{
		EmailPrefix: q.Get("email"), After: after, Skip: skip, Limit: limit + 1,
	})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	var next *string
	if len(users) > limit {
		users = users[:limit]
		c := encodeUserCursor(store.CursorOf(users[limit-1]))
		next = &c
	}
	items := make([]UserPublic, len(users))
	for i, u := range users {
		items[i] = NewUserPublic(u)
	}
	writeJSON(w, http.StatusOK, userListResponse{Items: items, Total: total, Skip: skip, Limit: limit, NextCursor: next})
}

// A cursor is base64url (unpadded) of "<created_at in Unix microseconds>.<id>":
// opaque to clients, and checked on the way in like any other input.
const maxCursorIDLen = 200

func encodeUserCursor(c *store.UserCursor) string {
	raw := strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + "." + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeUserCursor(text string) (*store.UserCursor, bool) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(text)
	if err != nil {
		return nil, false
	}
	at, id, found := strings.Cut(string(raw), ".")
	if !found || id == "" || len(id) > maxCursorIDLen || !utf8.ValidString(id) || strings.ContainsRune(id, 0) {
		return nil, false
	}
	micros, err := strconv.ParseInt(at, 10, 64)
	if err != nil || strconv.FormatInt(micros, 10) != at {
		return nil, false
	}
	t := time.UnixMicro(micros).UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return nil, false
	}
	return &store.UserCursor{CreatedAt: t, ID: id}, true
}

// queryInt reads an integer query parameter within lo..hi (def when it is
// absent), appending FastAPI's error for a bad one.
func queryInt(q url.Values, name string, def, lo, hi int, errs *[]validationError) int {
	if !q.Has(name) {
		return def
	}
	text := q.Get(name)
	input, _ := json.Marshal(text)
	n, err := strconv.Atoi(text)
	switch {
	case err != nil:
		*errs = append(*errs, validationError{Type: "int_parsing", Loc: []any{"query", name}, Input: input,
			Msg: "Input should be a valid integer, unable to parse string as an integer"})
	case n < lo:
		*errs = append(*errs, validationError{Type: "greater_than_equal", Loc: []any{"query", name}, Input: input,
			Msg: "Input should be greater than or equal to " + strconv.Itoa(lo), Ctx: map[string]any{"ge": lo}})
	case n > hi:
		*errs = append(*errs, validationError{Type: "less_than_equal", Loc: []any{"query", name}, Input: input,
			Msg: "Input should be less than or equal to " + strconv.Itoa(hi), Ctx: map[string]any{"le": hi}})
	}
	return n
}

// targetUser loads the user named in the path; an unknown id of any shape
// answers 404.
func (a *Auth) targetUser(w http.ResponseWriter, r *http.Request) (*store.User, bool) {
	u, err := a.store.UserByID(r.Context(), r.PathValue("user_id"))
	if errors.Is(err, store.ErrNotFound) {
		writeDetail(w, http.StatusNotFound, "User not found.")
		return nil, false
	}
	if err != nil {
		a.serverError(w, r, err)
		return nil, false
	}
	return u, true
}

// adminFailed answers a store error on a user that existed a moment ago
// (another request may have deleted it since).
func (a *Auth) adminFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		writeDetail(w, http.StatusNotFound, "User not found.")
		return
	}
	a.serverError(w, r, err)
}

// GET /admin/users/{user_id}
func (a *Auth) handleAdminGetUser(w http.ResponseWriter, r *http.Request, _ *store.User) {
	if u, ok := a.targetUser(w, r); ok {
		writeJSON(w, http.StatusOK, NewUserPublic(u))
	}
}

// PATCH /admin/users/{user_id} {"is_active"?, "is_superuser"?, "full_name"?, "is_mfa_enabled"?}
//
// null or an absent key leaves a field as it is (so full_name cannot be
// cleared here). Disabling a user also ends every session they have, at
// once; enabling them again does not bring those sessions back. There is
// no self-protection: an administrator may demote or disable themselves.
//
// is_mfa_enabled false switches the user's SMS codes off (a lost phone)
// and ends their sessions, as a disable does; true is refused unless they
// are already on, since only the user can prove the number with a code.
func (a *Auth) handleAdminUpdateUser(w http.ResponseWriter, r *http.Request, admin *store.User) {
	var patch store.UserPatch
	var mfa *bool
	if !a.decodeBody(w, r,
		field{name: "is_active", flag: &patch.IsActive},
		field{name: "is_superuser", flag: &patch.IsSuperuser},
		field{name: "full_name", maxLen: fullNameMaxLen, nullable: &patch.FullName},
		field{name: "is_mfa_enabled", flag: &mfa},
	) {
		return
	}
	target, ok := a.targetUser(w, r)
	if !ok {
		return
	}
	if mfa != nil && *mfa && !target.IsMFAEnabled {
		writeDetail(w, http.StatusBadRequest, "SMS two-factor can only be switched on by the user, with a code sent to their phone.")
		return
	}
	u, err := a.store.UpdateUser(r.Context(), target.ID, patch, a.now())
	if err == nil && mfa != nil && !*mfa && u.IsMFAEnabled {
		u, err = a.disableMFA(r.Context(), u, true)
	}
	if err != nil {
		a.adminFailed(w, r, err)
		return
	}
	a.emit(r.Context(), AdminUserUpdated{Admin: snapshot(admin), User: snapshot(u), Changes: copyPatch(patch)})
	writeJSON(w, http.StatusOK, NewUserPublic(u))
}

// copyPatch copies p for an event, so a handler cannot alter it.
func copyPatch(p store.UserPatch) store.UserPatch {
	var c store.UserPatch
	if p.IsActive != nil {
		v := *p.IsActive
		c.IsActive = &v
	}
	if p.IsSuperuser != nil {
		v := *p.IsSuperuser
		c.IsSuperuser = &v
	}
	if p.FullName != nil {
		v := *p.FullName
		c.FullName = &v
	}
	return c
}

// DELETE /admin/users/{user_id}
//
// Deletes the user and everything that belongs to them (store.DeleteUser):
// their sessions stop working because the user no longer exists.
func (a *Auth) handleAdminDeleteUser(w http.ResponseWriter, r *http.Request, admin *store.User) {
	u, ok := a.targetUser(w, r)
	if !ok {
		return
	}
	if err := a.store.DeleteUser(r.Context(), u.ID); err != nil {
		a.adminFailed(w, r, err)
		return
	}
	a.emit(r.Context(), UserDeleted{User: snapshot(u)})
	a.emit(r.Context(), AdminUserDeleted{Admin: snapshot(admin), User: snapshot(u)})
	writeMessage(w, http.StatusOK, "User "+u.Email+" deleted.")
}

// POST /admin/users/{user_id}/resend-verification
//
// For an account that exists but is not verified: a pending registration
// carrying the account's password hash is stored and its link emailed.
// Following the link marks the existing account verified (verify.go).
func (a *Auth) handleAdminResendVerification(w http.ResponseWriter, r *http.Request, admin *store.User) {
	u, ok := a.targetUser(w, r)
	if !ok {
		return
	}
	if u.IsVerified {
		writeDetail(w, http.StatusBadRequest, "User is already verified.")
		return
	}
	if !u.HasPassword() {
		// A pending registration needs a password hash, and an account
		// that signs in with Google has its address confirmed there.
		writeDetail(w, http.StatusBadRequest, "User has no password; verification by email applies only to password accounts.")
		return
	}
	p := &store.PendingRegistration{Email: u.Email, PasswordHash: u.PasswordHash, FullName: u.FullName}
	if _, err := a.startVerification(r.Context(), p); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.emit(r.Context(), AdminVerificationResent{Admin: snapshot(admin), User: snapshot(u)})
	writeMessage(w, http.StatusAccepted, "Verification email sent to "+u.Email+".")
}

// Errors of the admin methods.
var (
	// ErrNotAdmin: the acting user is not a superuser.
	ErrNotAdmin = newError("auth: administrator privileges required", http.StatusForbidden,
		"Administrator privileges required.")
	// ErrUserNotFound: no user has the id.
	ErrUserNotFound = newError("auth: user not found", http.StatusNotFound, "User not found.")
)

// POST /admin/users/{user_id}/revoke-sessions
func (a *Auth) handleAdminRevokeSessions(w http.ResponseWriter, r *http.Request, admin *store.User) {
	u, err := a.RevokeSessions(a.requestContext(r), admin, r.PathValue("user_id"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeMessage(w, http.StatusOK, "Sessions of "+u.Email+" revoked.")
}

// RevokeSessions ends every session of the user userID (tokens issued up to
// now), as POST /admin/users/{user_id}/revoke-sessions does, and returns the
// user; they can sign in again. admin is the acting administrator (named in
// the AdminSessionsRevoked event) and must be a superuser.
//
// Errors: ErrNotAdmin, ErrUserNotFound (an unknown id of any shape).
func (a *Auth) RevokeSessions(ctx context.Context, admin *store.User, userID string) (*store.User, error) {
	if admin == nil || !admin.IsSuperuser {
		return nil, ErrNotAdmin
	}
	target, err := a.store.UserByID(ctx, userID)
	if err != nil {
		return nil, notFoundAsUser(err)
	}
	u, err := a.store.RevokeSessions(ctx, target.ID, a.now())
	if err != nil {
		// Another request may have deleted the user since.
		return nil, notFoundAsUser(err)
	}
	a.emit(ctx, AdminSessionsRevoked{Admin: snapshot(admin), User: snapshot(u)})
	return u, nil
}

// notFoundAsUser turns the store's ErrNotFound into ErrUserNotFound.
func notFoundAsUser(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrUserNotFound
	}
	return err
}
