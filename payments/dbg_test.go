package payments_test

import (
	"testing"
)

func TestDbg(t *testing.T) {
	b := setupPayments(t)
	r := b.submitted(b.contract, "2026-02", 3833333)
	t.Logf("%+v", r)
	var rows []map[string]any
	b.env.DB.Gorm.Raw("SELECT id, period, kind FROM payment_requests").Scan(&rows)
	t.Logf("%v", rows)
}
