// Package referrals holds referrals: a probation practitioner's request that a contract's supplier
// work with a person on probation, from draft to conclusion.
//
// # Drafts
//
// A practitioner creates a draft for a contract (any contract: the catalogue is national) with the
// person's CRN, then fills it in with partial updates (If-Match on the version): the person and their
// needs, the setting, the person's PCC area, the service categories of the contract type with one
// complexity level and at least one desired outcome each, the maximum number of enforceable days,
// the completion deadline and the free text. A draft is visible to its author alone; the author may
// delete it, and drafts unchanged for 90 days are deleted by a periodic job (DeleteStaleDrafts).
//
// # Sending
//
// Send checks, in one transaction that holds the contract's row lock (so that concurrent sends to one
// contract are serialised and the cap and duplicate checks are exact): every required field
// (MissingFields), the referral window and eligibility on the day (CheckEligibility), the completion
// deadline, intake control (counted referrals of the current contract year, by CountedBetween,
// against the year's effective cap, cap variations included) and a second live referral for the same
// CRN and contract (allowed only with a reason). The referral then gets a random unique reference
// (NewReference, retried inside a savepoint on a clash), sent_at and its London calendar date
// sent_on, counted = true and its assessment due date. The audit record, the supplier users' in-app
// notifications, the e-mail job (NotifyArgs) and the debounced volume refresh job
// (RefreshVolumesArgs) are written in the same transaction.
//
// # Workflow
//
// Users of the contract's prime or of a current subcontractor work the referral: caseworker,
// initial assessment (booked, rescheduled with every change kept, attendance and feedback), action
// plan (approved by the practitioner, or automatically when configured), delivery sessions, and
// the end-of-service report, which concludes it as CANCELLED, PREMATURELY_ENDED or COMPLETED. The
// states and the moves between them are the table in workflow.go (Next); a refused move answers
// 409 invalid_transition, or a more specific code, naming the current status. The practitioner may
// withdraw the referral before it concludes (a reason that does not count towards volume clears
// counted) and amend it with a reason; every changed field is logged. Both sides write case notes.
//
// # Scope
//
// Drafts: their author only. Sent referrals: practitioners of the referral's region (and its
// author), commissioners of its region, admins, and users of the contract's prime or current
// subcontractors. A referral outside the caller's scope answers 404; a practitioner who may read a
// referral but does not own it gets 403 for the owner's actions. Lists filter by scope in SQL
// (ListQuery) on the indexes of migration 00006.
//
// # Timeliness
//
// The initial assessment is due 10 working days after the referral was sent, the first action plan
// 5 working days after the assessment was attended, and the end-of-service report 5 working days
// after the referral ended (England and Wales working days; see Timeliness).
package referrals
