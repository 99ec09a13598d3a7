// Package contracts holds the contracts called off the framework: the contract itself, its supply
// chain, its contract years and, per year, the volume bands, the payment basis band, cap variations and
// the pricing inputs the band prices were built from; and the pure rules on them (years.go, bands.go,
// volume.go).
//
// # A contract's life
//
// An admin, or a commissioner of the contract's region, creates a contract with a unique reference
// (1 to 30 characters, unique whatever the case), a contract type, either a region or a PCC area
// (a PCC-level contract also records its PCC area's region, on which scope is decided), a prime,
// optional subcontractors, an optional co-commissioner with its funding share (in basis points, 2500 is
// 25.00 %), eligibility (sexes, age range, settings accepted), start and end dates, optional extension
// periods and a referral window. The reference, contract type, area and prime are fixed once created:
// changing them is a new call-off or a novation, not an edit, and later domains (referrals, payments,
// returns) key their figures on them. Everything else may be changed with If-Match on the contract's
// version.
//
// The prime must be active (a suspended or removed supplier keeps its contracts but is awarded no new
// ones) and qualified on the framework for every service category of the contract type in the
// contract's region. Subcontractors must be active when added, are never the prime and appear once.
// Removing a subcontractor keeps the membership with its removal date, by whom and why; the current
// supply chain is the memberships not removed.
//
// # Dates, status and years
//
// Extension 1 starts the day after the end date and each later one the day after the previous one
// ends; extensions are taken in order, and the effective end is the end of the last one taken (or the
// end date). A contract's status is derived from its dates and the day asked about: pending before the
// start date, live from the start date to the effective end (both included), ended after. The referral
// window lies inside the start date and the effective end. The contract years run from the start date
// to the effective end (see Years); changing the dates re-cuts them, and figures held per year number
// stay with that number.
//
// # Bands
//
// Each contract year has its own band table, replaced as a whole and checked by ValidateBands, and one
// payment basis band. Replacing a year's table names the basis band from the year's start and
// supersedes the year's earlier basis changes (they stay in the history); a commissioner may then
// change the basis band during the year, effective from the year's start or the first day of a month
// inside it, with a reason. The band in force on a day is that of the latest change effective on or
// before it (see YearDetail.BasisOn). A cap variation replaces the year's cap (the top band's high) for
// intake control; the latest one counts.
//
// # Scope
//
// Admins see and manage every contract; commissioners those whose region is one of theirs; supplier
// users read those where their organisation is the prime or a current subcontractor and change none;
// practitioners use the catalogue instead (403 here). A contract outside the caller's scope answers
// 404. Every change is one transaction holding its audit record, and bumps the contract's version.
//
// # Catalogue
//
// The catalogue is how practitioners find a contract to refer to: every signed-in role may search it,
// nationally. It lists the contracts open for referral on a date (live that day, with the referral
// window containing it), filtered in the query itself: a PCC area matches its own PCC-level contracts
// and the region-level contracts of its region; a service category matches the contract types offering
// it; sex, age and setting match the eligibility. Entries carry the reference data's names and the
// current supply chain, never the referral mailbox, co-commissioner or bands.
//
// # Transparency
//
// The awarded contracts are public (no sign-in): every live or ended contract (never a pending one)
// with its area, status, prime and supply chain with their organisation types and framework statuses,
// and its annual value: the annual price of the payment basis band in force today in its current
// contract year (an ended contract's last year), not pro-rated. The value summary adds these values up
// by the PRIME's organisation type, nationally and per region: "the share of contract value going to
// VCSE and SME organisations" is the share of the contracts whose prime is one, since the platform does
// not record what a prime pays its subcontractors. Shares are basis points rounded half up with
// integer arithmetic. Both answer CSV when asked for it.
//
// Load and YearsOf read a contract and its years without scope, for the domains built on this one.
package contracts
