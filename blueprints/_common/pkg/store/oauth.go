// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package store

import (
	"context"
	"errors"
	"time"
)

// Modes of an OAuth sign-in.
const (
	// OAuthModeSignIn signs in (or registers) whoever comes back.
	OAuthModeSignIn = "signin"
	// OAuthModeLink attaches the provider's account to LinkingUserID.
	OAuthModeLink = "link"
)

var (
	// ErrIdentityTaken means the provider account is already linked to a
	// user, or the user already has an account of that provider: both
	// (Provider, Subject) and (UserID, Provider) are unique.
	ErrIdentityTaken = errors.New("store: identity already linked")
	// ErrLastSignInMethod means unlinking would leave the user with no way
	// to sign in: no password and no other identity.
	ErrLastSignInMethod = errors.New("store: the only way to sign in")
)

// OAuthIdentity links a user to an account at an OpenID Connect provider.
type OAuthIdentity struct {
	ID       string
	UserID   string
	Provider string
	// Subject is the provider's stable id of the account (the ID token's
	// sub); the email address is only a snapshot and is never looked up.
	Subject string
	// Email is the address the provider gave when the link was made, ""
	// for none.
	Email    string
	LinkedAt time.Time
	// LastUsedAt is when it last signed the user in; zero for never.
	LastUsedAt time.Time
}

// OAuthState is one sign-in through a provider, from the redirect to the
// provider until the session is handed over. It is single-use twice over:
// the callback claims it once (UsedAt), and the completion id it is given
// then is exchanged once.
type OAuthState struct {
	// ID is the OAuth state parameter: random, at least 256 bits.
	ID       string
	Provider string
	// CodeVerifier is the PKCE verifier; Nonce the ID token's expected
	// nonce.
	CodeVerifier string
	Nonce        string
	// BrowserHash is the lowercase hex SHA-256 of the value of the cookie
	// set in the browser that started the sign-in: only that browser's
	// callback may claim the state.
	BrowserHash string
	// RedirectTo is where the user goes once signed in.
	RedirectTo string
	// Mode is OAuthModeSignIn or OAuthModeLink; LinkingUserID is the user
	// who asked to link, "" in sign-in mode.
	Mode          string
	LinkingUserID string
	CreatedAt     time.Time
	// ExpiresAt bounds the callback until the state completes, then the
	// exchange.
	ExpiresAt time.Time
	// UsedAt is when a callback claimed the state; zero until then.
	UsedAt time.Time
	// CompletionHash is the SHA-256 (lowercase hex) of the completion id
	// handed to the browser after a successful callback; "" until then.
	// ResultUserID is the user signed in, WasNew whether the sign-in made
	// the account.
	CompletionHash string
	ResultUserID   string
	WasNew         bool
}

// OAuth is the store's part of OpenID Connect sign-in: the identities
// linked to users and the sign-ins in flight.
type OAuth interface {
	// CreateOAuthState stores a new sign-in.
	CreateOAuthState(ctx context.Context, s *OAuthState) error
	// ClaimOAuthState marks the state id as used, if it is unused and was
	// started by the browser whose cookie hashes to browserHash, and
	// returns it (expired or not: the caller tells). ErrNotFound
	// otherwise. Of concurrent claims exactly one succeeds.
	ClaimOAuthState(ctx context.Context, id, browserHash string, now time.Time) (*OAuthState, error)
	// CompleteOAuthState records the outcome of a claimed state: the hash
	// of its completion id, the user signed in, whether the account is
	// new, and until when the completion id may be exchanged.
	// ErrNotFound if the state is gone.
	CompleteOAuthState(ctx context.Context, id, completionHash, userID string, wasNew bool, expiresAt time.Time) error
	// ConsumeOAuthCompletion deletes the completed state whose completion
	// id hashes to completionHash and returns it (expired or not: the
	// caller tells). ErrNotFound when there is none; a state that has not
	// completed is never touched. Of concurrent calls exactly one
	// succeeds.
	ConsumeOAuthCompletion(ctx context.Context, completionHash string) (*OAuthState, error)

	// IdentityBySubject returns the identity of the provider's account
	// subject, or ErrNotFound.
	IdentityBySubject(ctx context.Context, provider, subject string) (*OAuthIdentity, error)
	// IdentitiesOf returns the user's identities, oldest link first.
	IdentitiesOf(ctx context.Context, userID string) ([]OAuthIdentity, error)
	// LinkIdentity stores a new identity of an existing user.
	// ErrIdentityTaken when the subject is linked already or the user has
	// an identity of that provider; ErrNotFound when the user is gone.
	LinkIdentity(ctx context.Context, id *OAuthIdentity) error
	// CreateUserWithIdentity creates a user (without a password) and
	// their first identity together: both exist afterwards or neither.
	// ErrEmailTaken or ErrIdentityTaken on a conflict.
	CreateUserWithIdentity(ctx context.Context, u *User, id *OAuthIdentity) error
	// TouchIdentity sets the identity's LastUsedAt.
	TouchIdentity(ctx context.Context, identityID string, at time.Time) error
	// UnlinkIdentity deletes the user's identity of the provider, unless
	// it is their only way to sign in (no password, no other identity):
	// then ErrLastSignInMethod, decided in the same step as the delete so
	// two concurrent unlinks cannot both pass the check. ErrNotFound when
	// the user has no identity of that provider.
	UnlinkIdentity(ctx context.Context, userID, provider string) error
}
