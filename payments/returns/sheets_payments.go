package returns

import (
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/payments"
)

func paymentsSheet(ds *dataset) sheet {
	return sheet{name: "Payments", table: "Payments", columns: []column{
		{"Request", 38, kText, "The payment request's id."},
		{"Contract reference", 26, kText, "The contract."},
		{"Kind", 11, kText, "MONTHLY (a calendar month's entitlement, in arrears) or BALANCING (a year-end balancing payment)."},
		{"Month", 12, kDate, "For a monthly request, the month requested (its first day)."},
		{"Contract year", 9, kInt, "For a balancing request, the ended contract year."},
		{"Amount", 16, kMoney, "The amount requested."},
		{"Status", 12, kText, "The status when the return was generated: SUBMITTED, QUERIED, RESPONDED, APPROVED, PAID, REJECTED or WITHDRAWN."},
		{"In period", 9, kText, "Yes for the request for the return's month; other rows are for earlier months of the contract year (year to date) or balancing requests."},
		{"Submitted", 17, kTime, "When the prime submitted it."},
		{"Decided", 17, kTime, "When it was approved or rejected."},
		{"Paid on", 12, kDate, "The payment date, once paid."},
		{"Invoice reference", 18, kText, "The supplier's invoice reference."},
		{"Remittance reference", 18, kText, "The payment's remittance reference."},
		{"Queries", 8, kInt, "How many queries the commissioner raised on it."},
	}, rows: func(emit func([]any) error) error {
		for _, r := range ds.Requests {
			inPeriod := r.Kind == payments.KindMonthly && r.Period == ds.Period
			var month calendar.Date
			if r.Kind == "MONTHLY" {
				month = r.Period.First()
			}
			if err := emit([]any{r.ID.String(), r.ContractReference, r.Kind, month, optInt(r.Year), r.Amount, r.StatusAsAt, yesNo(inPeriod),
				r.SubmittedAt, r.DecidedAt, r.PaidOn, r.InvoiceReference, r.RemittanceReference, r.Queries}); err != nil {
				return err
			}
		}
		return nil
	}}
}

func queriesSheet(ds *dataset) sheet {
	return sheet{name: "Queries", table: "Queries", columns: []column{
		{"Request", 38, kText, "The payment request queried."},
		{"Contract reference", 26, kText, "The contract."},
		{"Month", 12, kDate, "The month requested (monthly requests)."},
		{"Message", 10, kText, "QUERY (from the commissioner) or RESPONSE (from the prime)."},
		{"Written", 17, kTime, "When it was written."},
		{"Author role", 12, kText, "The role of who wrote it."},
		{"Text", 90, kText, "What was asked or answered."},
	}, rows: func(emit func([]any) error) error {
		for _, q := range ds.Queries {
			var month calendar.Date
			if !q.Period.IsZero() {
				month = q.Period.First()
			}
			if err := emit([]any{q.RequestID.String(), q.ContractReference, month, q.Kind, q.CreatedAt, q.AuthorRole, q.Body}); err != nil {
				return err
			}
		}
		return nil
	}}
}
