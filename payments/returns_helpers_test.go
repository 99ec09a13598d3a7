package payments_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/payments"
)

func TestRequestsAndQueriesForReturn(t *testing.T) {
	t.Parallel()
	b := setupPayments(t)
	on := func(y int, m time.Month, d int) { b.setNow(time.Date(y, m, d, 11, 0, 0, 0, time.UTC)) }
	on(2026, time.January, 5)
	december := b.step(b.commJ, b.submitted(b.contract, "2025-12", 3833333), "approve", nil)
	on(2026, time.January, 26)
	b.step(b.admin, december, "pay", map[string]any{"paid_on": "2026-01-26", "remittance_reference": "BACS-1"})
	on(2026, time.February, 4)
	january := b.submitted(b.contract, "2026-01", 3833333)
	on(2026, time.February, 5)
	january = b.step(b.commJ, january, "queries", map[string]any{"message": "Which purchase order?"})
	on(2026, time.February, 9)
	january = b.step(b.primeUser, january, "responses", map[string]any{"message": "PO 4471."})
	on(2026, time.March, 3)
	b.step(b.commJ, january, "approve", nil)
	on(2026, time.March, 4)
	b.submitted(b.contract, "2026-02", 3833333)

	ctx, db, ids := context.Background(), b.env.DB.Gorm, []uuid.UUID{b.contract}
	feb1, feb28 := calendar.NewDate(2026, 2, 1), calendar.NewDate(2026, 2, 28)
	rows, err := payments.RequestsForReturn(ctx, db, ids, feb1, feb28)
	if err != nil {
		t.Fatal(err)
	}
	// December's request was submitted, decided and paid before February; March's was submitted after.
	if len(rows) != 1 {
		t.Fatalf("%d rows for February: %+v", len(rows), rows)
	}
	r := rows[0]
	if r.Period.String() != "2026-01" || r.Status != payments.StatusApproved || r.StatusAsAt != payments.StatusResponded || r.Queries != 1 ||
		r.SubmittedOn != calendar.NewDate(2026, 2, 4) || r.DecidedOn != calendar.NewDate(2026, 3, 3) || r.Amount != 3833333 || r.InvoiceReference != "INV-2026-01" {
		t.Errorf("January's request %+v", r)
	}
	rows, err = payments.RequestsForReturn(ctx, db, ids, calendar.NewDate(2026, 1, 1), calendar.NewDate(2026, 1, 31))
	if err != nil || len(rows) != 1 || rows[0].Period.String() != "2025-12" || rows[0].PaidOn != calendar.NewDate(2026, 1, 26) ||
		rows[0].RemittanceReference != "BACS-1" || rows[0].StatusAsAt != payments.StatusPaid {
		t.Errorf("January's return: %+v, %v", rows, err)
	}
	// Year to date: every request submitted by the end of February.
	if rows, err = payments.RequestsForReturn(ctx, db, ids, calendar.NewDate(2025, 4, 1), feb28); err != nil || len(rows) != 2 {
		t.Errorf("year to date: %d rows, %v", len(rows), err)
	}
	qs, err := payments.QueriesForReturn(ctx, db, ids, feb1, feb28)
	if err != nil || len(qs) != 2 {
		t.Fatalf("queries %+v, %v", qs, err)
	}
	q, a := qs[0], qs[1]
	if q.Kind != payments.MessageQuery || q.AuthorRole != "commissioner" || q.CreatedOn != calendar.NewDate(2026, 2, 5) ||
		q.ResponseDueOn != calendar.NewDate(2026, 2, 12) || q.AnsweredOn != calendar.NewDate(2026, 2, 9) || q.Period.String() != "2026-01" {
		t.Errorf("query %+v", q)
	}
	if a.Kind != payments.MessageResponse || a.AuthorRole != "supplier" || a.Body != "PO 4471." || !a.AnsweredOn.IsZero() {
		t.Errorf("response %+v", a)
	}
	if qs, err = payments.QueriesForReturn(ctx, db, ids, calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 31)); err != nil || len(qs) != 0 {
		t.Errorf("March queries %+v, %v", qs, err)
	}
}
