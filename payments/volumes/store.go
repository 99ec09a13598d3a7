package volumes

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/calendar"
)

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

// Count counts, for every window at once (two set-based queries whatever the number of
// windows), the referrals that count towards volume, per calendar month, service category and
// complexity level. A contract may have several windows (its contract years). Windows without
// counted referrals get a zero Volume.
func Count(ctx context.Context, db *gorm.DB, windows []Window) (map[Window]Volume, error) {
	out := make(map[Window]Volume, len(windows))
	if len(windows) == 0 {
		return out, nil
	}
	ids, starts, ends := windowArrays(windows)
	for _, w := range windows {
		out[w] = Volume{ContractID: w.ContractID, Months: []MonthCount{}}
	}
	const windowsCTE = `WITH w AS (SELECT * FROM unnest(?::uuid[], ?::date[], ?::date[]) AS w(contract_id, start_on, end_on))`
	var totals []struct {
		ContractID uuid.UUID
		StartOn    calendar.Date
		EndOn      calendar.Date
		Month      calendar.Date
		N          int
	}
	var splits []struct {
		ContractID uuid.UUID
		StartOn    calendar.Date
		EndOn      calendar.Date
		Month      calendar.Date
		Category   string
		Complexity *string
		N          int
	}
	// The two aggregates run one after the other: PostgreSQL already spreads the join over both
	// cores with parallel workers, and running them at once only made them compete.
	totalsErr := db.WithContext(ctx).Raw(windowsCTE+`
		SELECT w.contract_id, w.start_on, w.end_on, date_trunc('month', r.sent_on)::date AS month, count(*) AS n
		FROM w JOIN referrals r ON r.contract_id = w.contract_id AND r.counted AND r.sent_on BETWEEN w.start_on AND w.end_on
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 4`, ids, starts, ends).Scan(&totals).Error
	var splitsErr error
	if totalsErr == nil {
		splitsErr = db.WithContext(ctx).Raw(windowsCTE+`
			SELECT w.contract_id, w.start_on, w.end_on, date_trunc('month', r.sent_on)::date AS month,
			       c.service_category_code AS category, c.complexity_level AS complexity, count(*) AS n
			FROM w JOIN referrals r ON r.contract_id = w.contract_id AND r.counted AND r.sent_on BETWEEN w.start_on AND w.end_on
			JOIN referral_service_categories c ON c.referral_id = r.id
			GROUP BY 1, 2, 3, 4, 5, 6`, ids, starts, ends).Scan(&splits).Error
	}
	if totalsErr != nil {
		return nil, fmt.Errorf("count volumes by month: %w", totalsErr)
	}
	if splitsErr != nil {
		return nil, fmt.Errorf("count volumes by category: %w", splitsErr)
	}
	type monthKey struct {
		w Window
		m calendar.Month
	}
	index := map[monthKey]int{}
	for _, t := range totals {
		w := Window{ContractID: t.ContractID, Start: t.StartOn, End: t.EndOn}
		v := out[w]
		v.Total += t.N
		v.Months = append(v.Months, MonthCount{Month: t.Month.CalendarMonth(), Referrals: t.N, ByCategory: map[string]int{}, ByComplexity: map[string]int{}})
		index[monthKey{w, t.Month.CalendarMonth()}] = len(v.Months) - 1
		out[w] = v
	}
	for _, s := range splits {
		w := Window{ContractID: s.ContractID, Start: s.StartOn, End: s.EndOn}
		i, ok := index[monthKey{w, s.Month.CalendarMonth()}]
		if !ok {
			continue
		}
		m := out[w].Months[i]
		m.ByCategory[s.Category] += s.N
		if s.Complexity != nil {
			m.ByComplexity[*s.Complexity] += s.N
		}
	}
	return out, nil
}

func windowArrays(windows []Window) (ids, starts, ends pq.StringArray) {
	ids, starts, ends = make(pq.StringArray, len(windows)), make(pq.StringArray, len(windows)), make(pq.StringArray, len(windows))
	for i, w := range windows {
		ids[i], starts[i], ends[i] = w.ContractID.String(), w.Start.String(), w.End.String()
	}
	return ids, starts, ends
}

// CountTotals counts each window's referrals that count, without any split: an independent total that
// consistency checks compare with the sum of Count's months.
func CountTotals(ctx context.Context, db *gorm.DB, windows []Window) (map[Window]int, error) {
	out := make(map[Window]int, len(windows))
	if len(windows) == 0 {
		return out, nil
	}
	ids, starts, ends := windowArrays(windows)
	var rows []struct {
		ContractID uuid.UUID
		StartOn    calendar.Date
		EndOn      calendar.Date
		N          int
	}
	err := db.WithContext(ctx).Raw(`SELECT w.contract_id, w.start_on, w.end_on, (SELECT count(*) FROM referrals r
			WHERE r.contract_id = w.contract_id AND r.counted AND r.sent_on BETWEEN w.start_on AND w.end_on) AS n
		FROM unnest(?::uuid[], ?::date[], ?::date[]) AS w(contract_id, start_on, end_on)`, ids, starts, ends).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count volume totals: %w", err)
	}
	for _, r := range rows {
		out[Window{ContractID: r.ContractID, Start: r.StartOn, End: r.EndOn}] = r.N
	}
	return out, nil
}
