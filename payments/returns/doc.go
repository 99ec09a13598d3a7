// Package returns builds the Excel returns commercial teams work from: one workbook per scope
// (national, or one region) and period (a calendar month, with year-to-date figures), requested
// through the API or by the monthly periodic job, built in the background by a River job with
// excelize's StreamWriter, and stored in PostgreSQL so that any node can serve the download.
//
// A return's life: queued (requested; its build job inserted in the same transaction) -> running ->
// ready (the file stored) or failed (with the reason, after the job's last attempt). Commissioners
// request and see their regions' returns; admins every return, national ones included.
//
// The workbook's sheets are those DOMAIN.md lists: ReadMe, Summary, Bands, Monthly volumes,
// Payments, Queries, Reconciliation, Supply chain, Referrals (pseudonymised), Alerts and Checks. Every
// figure is as at the period's last day (or today, for the current month): the same figures the
// volumes API gives with as_of set to that day.
package returns
