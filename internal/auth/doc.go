// Package auth holds users, their credentials and tokens: argon2id password hashes, expiring bearer
// tokens stored as SHA-256 hashes (API tokens and browser sessions share the store), throttling of
// repeated failed sign-ins, admin user management, and the server-rendered sign-in page.
//
// A user has a role and a scope: a supplier organisation for supplier users, one or more region codes
// for practitioners and commissioners, nothing for admins (national scope). Authenticate turns a token
// into the actor.Actor every service method takes.
package auth
