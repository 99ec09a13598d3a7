// Package volumes owns volume reconciliation (DOMAIN, "Volume reconciliation"): the rules that turn
// a contract year's counted referrals into its picture (projection, indicated band, status, alerts
// due and, once the year has ended, the binding band and balance), the one query that counts
// referrals towards volume, and Pictures, which builds the pictures of many contract years as at a
// day in a fixed number of queries. Every reader of the commercial picture (the volumes API, the
// reconciliation job and its alerts, settlement, the Excel returns) goes through Pictures, so that a
// figure is computed one way.
//
// What was paid for a year comes from payments, which sits above this package: Pictures asks a
// Ledger for it.
package volumes
