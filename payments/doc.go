// Package payments reconciles contract volumes against their bands and pays suppliers.
//
// Volumes: a contract year's Picture (counted referrals, projection, indicated band, status) is
// computed by reconciliation, stored as dated snapshots and raises alerts; once the year has ended,
// its Binding is the binding band and the year-end balance.
//
// Entitlements: a contract year's value (the payment basis band's price, pro-rated for a part year) is
// split by calendar month exactly (MonthlyEntitlements); a month two years share is entitled to both
// parts, and every total adds up to the penny.
//
// Payment requests: a user of the contract's prime requests a calendar month's entitlement once the
// month has ended (MONTHLY), or an ended year's positive balance (BALANCING). A request is SUBMITTED,
// then a commissioner of the contract's region or an admin queries it (QUERIED, which the prime
// answers: RESPONDED), approves it (APPROVED) or rejects it with a reason (REJECTED); the prime may
// withdraw it before a decision (WITHDRAWN); an admin records the payment of an approved request
// (PAID). NextStatus holds the only transitions allowed. Invariants:
//   - at most one live request (not REJECTED or WITHDRAWN) per contract and month, and per contract
//     and balancing year, enforced by partial unique indexes so that concurrent submissions create one;
//   - a monthly amount never exceeds the month's entitlement less what is approved or paid for it; a
//     balancing amount equals the year's balance exactly;
//   - every change is one transaction holding the request's new version, its event, any thread
//     message, the audit record and the other side's notifications (in-app and e-mail job);
//   - approved requests unpaid after the payment terms, and queries unanswered after five working days,
//     are overdue: lists compute it live, the clocks job flags each clock once and tells both sides.
//
// Settlement: an ended year's negative balance is recorded as a recovery (one per contract and year,
// its amount following the balance while OUTSTANDING) until an admin records it SETTLED.
//
// Scope: admins see everything, commissioners their regions, supplier users the contracts their
// organisation is prime on; anything outside scope is not found, and practitioners are forbidden.
package payments
