// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package mongo implements store.Store on MongoDB through the official
// driver, go.mongodb.org/mongo-driver/v2.
//
// # Collections
//
// users, pending_registrations, token_blacklist, login_attempts and
// account_tokens, as in the Python reference, plus regstack_migrations,
// which records the index steps applied (migrate.go), and pending_claims,
// the addresses whose pending registrations are being consumed at this
// moment (pending.go). Ids are ObjectId hex strings; an id that is not one
// (a caller's own, or garbage) is stored and looked up as a plain string,
// so an unknown id of any shape is simply not found.
//
// # Times
//
// BSON dates hold milliseconds, but bulk revocation must be exact to the
// microsecond: a session issued 500 µs after a password change is valid,
// one issued at or before it is not. Every time is therefore stored as an
// int64 count of microseconds since the Unix epoch, which compares and
// sorts as the instant it is. Where a TTL index needs a BSON date, the
// document carries a date twin (expires_at_date, exp_date, expires_date),
// rounded up to the next millisecond so the server never reaps a row
// before its exact expiry. Nothing reads the twins.
//
// # Email addresses
//
// Emails are unique regardless of case and Unicode normal form. Instead of
// a collation index, each users and pending_registrations document keeps
// email as given and email_key, store.EmailKey of it, computed here in Go;
// users have a plain unique index on it, pending registrations (several
// per address) a plain one. Index step 3 recomputed the keys databases
// had from before, when they were ASCII-lower-cased only (rekey.go).
//
// # What this package avoids, so it runs on MongoDB and FerretDB alike
//
// The store is written for real MongoDB and also passes its tests on
// FerretDB v1 (the MongoDB-wire server the generated tests can use), by
// staying inside what both support:
//
//   - No multi-document transactions (FerretDB has none). Every method's
//     decisive step is one single-document operation; where a method
//     touches several documents, the order is chosen so a crash part way
//     leaves nothing unsafe (see deleteAccountTokens and DeleteUser).
//   - No TTL dependence. TTL indexes are created where the server has them
//     and skipped with one log line where it answers NotImplemented (code
//     238, FerretDB); every read checks expiry itself and PurgeExpired
//     deletes what has expired.
//   - No partial, sparse or collation indexes (FerretDB rejects the first
//     and last and silently ignores sparse). Optional fields are never part
//     of a unique index.
//   - No findAndModify for single-use or counting. FerretDB v1 runs
//     findAndModify and updates as read-modify-write without a lock, so two
//     concurrent FindOneAndDelete calls can both "win" and concurrent $push
//     updates lose entries. The atomic primitives both servers share are a
//     unique index (an insert either wins or gets a duplicate-key error) and
//     a filtered delete (DeletedCount is 1 for exactly one caller). Single-
//     use tokens are consumed with a filtered DeleteOne, login failures are
//     counted with a unique per-key sequence number (attempts.go), and
//     the registrations of one address are consumed by one caller at a time
//     through a claim document whose _id is the address's key (pending.go).
//   - No aggregation-pipeline updates and no $group/$cond aggregation
//     (FerretDB lacks $cond): users are counted with CountDocuments, and
//     PasswordParams groups the hashes in Go. Without pipeline updates one
//     field cannot be set from another, so the session cutoff that must
//     cover LastLogin is raised with $max in at most two updates (revoke in
//     store.go).
//
// Updates to one user document (SetPassword, SetEmail, RecordLogin, ...)
// use ordinary update operators and filters, which MongoDB applies
// atomically per document: RecordLogin's conditions and its write are one
// step, and so is each step of a revocation. FerretDB v1 does not: it reads
// the matching document, applies the operators in its own process and
// writes the whole document back by _id, with nothing in between to stop
// another update. Two updates to one user racing each other can therefore
// lose one there, even a password change that a concurrent sign-in
// overwrites with the document it read before the change. That is the main
// reason FerretDB v1 is for tests, not production.
package mongo
