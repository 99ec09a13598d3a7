package referrals

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/calendar"
)

// CountedBetween returns how many referrals of the contract count towards its volume with a sent date
// from start to end inclusive (DOMAIN: sent, and not withdrawn for a reason that does not count; drafts
// never count). Intake control and reconciliation both count through the referrals.counted flag and
// referrals.sent_on, so they always agree.
func CountedBetween(ctx context.Context, db *gorm.DB, contractID uuid.UUID, start, end calendar.Date) (int, error) {
	var n int64
	err := db.WithContext(ctx).Raw(`SELECT count(*) FROM referrals WHERE contract_id = ? AND counted AND sent_on BETWEEN ? AND ?`,
		contractID, start, end).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count referrals of contract %s: %w", contractID, err)
	}
	return int(n), nil
}

// Window is a period of one contract to count referrals in, both days included.
type Window struct {
	ContractID uuid.UUID
	Start, End calendar.Date
}

// MonthCount is one calendar month's counted referrals of a contract. ByCategory counts referrals
// per service category (a referral with two categories counts once in each); ByComplexity counts
// (referral, category) choices per complexity level, so its total can exceed Referrals.
type MonthCount struct {
	Month        calendar.Month
	Referrals    int
	ByCategory   map[string]int
	ByComplexity map[string]int
}

// Volume is a contract's counted referrals in its window, by month.
type Volume struct {
	ContractID uuid.UUID
	Total      int
	// Months are in calendar order and hold only months with referrals.
	Months []MonthCount
}

// CountVolumes counts, for every window at once (two set-based queries whatever the number of
// contracts), the referrals that count towards volume, per calendar month, service category and
// complexity level. Contracts without counted referrals get a zero Volume.
func CountVolumes(ctx context.Context, db *gorm.DB, windows []Window) (map[uuid.UUID]Volume, error) {
	out := make(map[uuid.UUID]Volume, len(windows))
	if len(windows) == 0 {
		return out, nil
	}
	ids, starts, ends := make(pq.StringArray, len(windows)), make(pq.StringArray, len(windows)), make(pq.StringArray, len(windows))
	for i, w := range windows {
		ids[i], starts[i], ends[i] = w.ContractID.String(), w.Start.String(), w.End.String()
		out[w.ContractID] = Volume{ContractID: w.ContractID, Months: []MonthCount{}}
	}
	const windowsCTE = `WITH w AS (SELECT * FROM unnest(?::uuid[], ?::date[], ?::date[]) AS w(contract_id, start_on, end_on))`
	var totals []struct {
		ContractID uuid.UUID
		Month      calendar.Date
		N          int
	}
	err := db.WithContext(ctx).Raw(windowsCTE+`
		SELECT r.contract_id, date_trunc('month', r.sent_on)::date AS month, count(*) AS n
		FROM w JOIN referrals r ON r.contract_id = w.contract_id AND r.counted AND r.sent_on BETWEEN w.start_on AND w.end_on
		GROUP BY 1, 2 ORDER BY 1, 2`, ids, starts, ends).Scan(&totals).Error
	if err != nil {
		return nil, fmt.Errorf("count volumes by month: %w", err)
	}
	var splits []struct {
		ContractID uuid.UUID
		Month      calendar.Date
		Category   string
		Complexity *string
		N          int
	}
	err = db.WithContext(ctx).Raw(windowsCTE+`
		SELECT r.contract_id, date_trunc('month', r.sent_on)::date AS month, c.service_category_code AS category,
		       c.complexity_level AS complexity, count(*) AS n
		FROM w JOIN referrals r ON r.contract_id = w.contract_id AND r.counted AND r.sent_on BETWEEN w.start_on AND w.end_on
		JOIN referral_service_categories c ON c.referral_id = r.id
		GROUP BY 1, 2, 3, 4`, ids, starts, ends).Scan(&splits).Error
	if err != nil {
		return nil, fmt.Errorf("count volumes by category: %w", err)
	}
	index := map[uuid.UUID]map[calendar.Month]int{}
	for _, t := range totals {
		v := out[t.ContractID]
		v.Total += t.N
		v.Months = append(v.Months, MonthCount{Month: t.Month.CalendarMonth(), Referrals: t.N, ByCategory: map[string]int{}, ByComplexity: map[string]int{}})
		if index[t.ContractID] == nil {
			index[t.ContractID] = map[calendar.Month]int{}
		}
		index[t.ContractID][t.Month.CalendarMonth()] = len(v.Months) - 1
		out[t.ContractID] = v
	}
	for _, s := range splits {
		i, ok := index[s.ContractID][s.Month.CalendarMonth()]
		if !ok {
			continue
		}
		m := out[s.ContractID].Months[i]
		m.ByCategory[s.Category] += s.N
		if s.Complexity != nil {
			m.ByComplexity[*s.Complexity] += s.N
		}
	}
	return out, nil
}
