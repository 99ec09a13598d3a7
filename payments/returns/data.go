package returns

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/payments"
	"github.com/crsplatform/crs/payments/volumes"
)

// contractFigures is a contract's year-to-date position for the return.
type contractFigures struct {
	contracts.WithYears
	// Picture is the year containing the as-at day (for a contract that ended before it, its last year).
	Picture volumes.Picture
	// Year is the detail of Picture's year.
	Year contracts.YearDetail
	// IndependentYTD is counted YTD by a separate query, for the Checks sheet.
	IndependentYTD int
	PaidYTD        money.Pence
	// Ended are the contract's years that ended on or before the as-at day, with their settlement.
	Ended []volumes.Picture
}

// dataset is everything a return shows, gathered before the workbook is written.
type dataset struct {
	Scope       Scope
	Region      string
	RegionName  string
	Period      calendar.Month
	AsOf        calendar.Date
	GeneratedAt time.Time
	Contracts   []contractFigures
	Alerts      []payments.Alert
	Recoveries  map[recoveryKey]recovery
	Requests    []payments.RequestRow
	Queries     []payments.QueryRow
	Ref         *reference.Data
}

type recoveryKey struct {
	contract uuid.UUID
	year     int
}

type recovery struct {
	AmountPence int64
	Status      string
	Reference   *string
}

// asOfDay is the day a return's figures are as at: the period's last day, or today for the current
// month.
func asOfDay(r Return, today calendar.Date) calendar.Date {
	asOf := r.Period.Last()
	if asOf.After(today) {
		asOf = today
	}
	return asOf
}

// portfolioOf reads the contracts a return covers: those of its scope live on a day of its period.
func portfolioOf(ctx context.Context, db *gorm.DB, r Return, asOf calendar.Date) ([]contracts.WithYears, error) {
	f := contracts.PortfolioFilter{ActiveFrom: r.Period.First(), ActiveTo: asOf}
	if r.Scope == ScopeRegion {
		f.Regions = []string{r.Region}
	}
	return contracts.LoadPortfolio(ctx, db, f)
}

// gather reads the dataset of a return of the portfolio: volumes as at asOf, payments as they stand on
// generatedOn.
func gather(ctx context.Context, db *gorm.DB, ref *reference.Data, r Return, asOf, generatedOn calendar.Date, portfolio []contracts.WithYears) (*dataset, error) {
	ds := &dataset{Scope: r.Scope, Region: r.Region, Period: r.Period, AsOf: asOf, GeneratedAt: time.Now().UTC(), Ref: ref}
	if reg, ok := ref.Region(r.Region); ok {
		ds.RegionName = reg.Name
	}
	// One picture per contract for the year containing asOf (for a contract that ended before it, its
	// last year), then one per year ended by asOf, all from one volumes.Pictures call.
	var years []volumes.YearOf
	var endedOf []int // the contract of each ended year
	for _, c := range portfolio {
		y, ok := c.YearOn(asOf)
		if !ok && len(c.Years) > 0 {
			y = c.Years[len(c.Years)-1] // ended during the period
		}
		ds.Contracts = append(ds.Contracts, contractFigures{WithYears: c, Year: y})
		years = append(years, volumes.YearOf{Contract: c, Year: y})
	}
	for i, c := range portfolio {
		for _, ey := range c.Years {
			if ey.End.Before(asOf) {
				years = append(years, volumes.YearOf{Contract: c, Year: ey})
				endedOf = append(endedOf, i)
			}
		}
	}
	pics, err := volumes.Pictures(ctx, db, payments.Ledger{}, years, asOf)
	if err != nil {
		return nil, err
	}
	current := make([]volumes.Window, len(ds.Contracts))
	for i := range ds.Contracts {
		cf := &ds.Contracts[i]
		cf.Picture, cf.PaidYTD = pics[i], pics[i].Paid
		end := asOf
		if end.After(cf.Year.End) {
			end = cf.Year.End
		}
		current[i] = volumes.Window{ContractID: cf.ID, Start: cf.Year.Start, End: end}
	}
	for k, i := range endedOf {
		ds.Contracts[i].Ended = append(ds.Contracts[i].Ended, pics[len(ds.Contracts)+k])
	}
	totals, err := volumes.CountTotals(ctx, db, current)
	if err != nil {
		return nil, err
	}
	for i := range ds.Contracts {
		ds.Contracts[i].IndependentYTD = totals[current[i]]
	}
	ids := idsOf(portfolio)
	if ds.Alerts, err = alertsFor(ctx, db, ids, asOf); err != nil {
		return nil, err
	}
	if ds.Recoveries, err = recoveriesFor(ctx, db, ids); err != nil {
		return nil, err
	}
	yearStart := r.Period.First()
	for _, cf := range ds.Contracts {
		if cf.Year.Start.Before(yearStart) {
			yearStart = cf.Year.Start
		}
	}
	// Payments are monthly in arrears: a month's request comes after the month ends, so the Payments
	// and Queries sheets show the requests for the months up to the period (and balancing requests)
	// as they stand when the return is generated, not as at the period's last day.
	requests, err := payments.RequestsForReturn(ctx, db, ids, yearStart, generatedOn)
	if err != nil {
		return nil, fmt.Errorf("payment requests: %w", err)
	}
	kept := map[uuid.UUID]bool{}
	for _, q := range requests {
		if q.Kind == payments.KindMonthly && q.Period.After(r.Period) {
			continue
		}
		ds.Requests = append(ds.Requests, q)
		kept[q.ID] = true
	}
	queries, err := payments.QueriesForReturn(ctx, db, ids, yearStart, generatedOn)
	if err != nil {
		return nil, fmt.Errorf("payment queries: %w", err)
	}
	for _, q := range queries {
		if kept[q.RequestID] {
			ds.Queries = append(ds.Queries, q)
		}
	}
	return ds, nil
}

func idsOf(portfolio []contracts.WithYears) []uuid.UUID {
	out := make([]uuid.UUID, len(portfolio))
	for i, c := range portfolio {
		out[i] = c.ID
	}
	return out
}
