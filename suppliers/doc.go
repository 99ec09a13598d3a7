// Package suppliers holds the organisations on the Dynamic Framework: their identity (legal and
// trading names, organisation type, Companies House and charity numbers, address), their contacts,
// their framework qualifications and their framework status.
//
// A supplier's life: an admin creates it, active, with at least one contact and the (service category,
// region) pairs it has qualified for. Admins edit it at any time; contacts and qualifications are
// replaced as whole lists, and a qualification kept across an edit keeps the date it was first held.
// Its status moves between active and suspended, and from either to removed, which is final; every
// change records a reason, an effective date (today or earlier, never before the previous change's)
// and who made it. A suspended supplier keeps its live contracts but cannot be awarded new ones
// (Status.Awardable); suppliers are never deleted, so contracts and referrals always find their prime
// and subcontractors.
//
// Invariants, held by validation and by the schema: the legal name is unique ignoring case, and so
// are the Companies House and charity numbers; a supplier has at least one of the two numbers; a
// qualification names a known category and region, once.
//
// Scope: admins may do everything; commissioners read every supplier; a supplier user reads only their
// own organisation (any other answers not found); practitioners may not use these endpoints. Other
// domains read suppliers through Summaries and MissingQualifications, which apply no scope.
package suppliers
