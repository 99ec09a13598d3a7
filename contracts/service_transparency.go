package contracts

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/internal/reference"
)

// The transparency methods take no actor: what they return is published to everyone, signed in or
// not (DOMAIN "Suppliers and the framework": the public must be able to see the awarded contracts
// and the share of contract value going to VCSE and SME organisations). They return nothing that is
// not published: no contacts, mailboxes, co-commissioners, eligibility or band tables.

// PublicParams filter the published contracts; zero values do not filter.
type PublicParams struct {
	// Region matches the contracts of the region, PCC-level ones included.
	Region       string
	ContractType string
	// Status is StateLive or StateEnded; zero is both. Pending contracts are never published.
	Status State
	Page   page.Params
	// All returns every matching contract on one page, ignoring Page (for downloads).
	All bool
}

// validate reports unknown_region, unknown_contract_type and invalid_status (a pending status, or
// one that does not exist), on the query parameter's name.
func (p PublicParams) validate(ref *reference.Data) error {
	var f apperr.Fields
	if p.Region != "" {
		_, ok := ref.Region(p.Region)
		f.Check(ok, "region", "unknown_region", fmt.Sprintf("There is no region %q.", p.Region))
	}
	if p.ContractType != "" {
		_, ok := ref.ContractType(p.ContractType)
		f.Check(ok, "contract_type", "unknown_contract_type", fmt.Sprintf("There is no contract type %q.", p.ContractType))
	}
	if p.Status != "" {
		f.Check(p.Status == StateLive || p.Status == StateEnded, "status", "invalid_status",
			"status must be live or ended: pending contracts are not published")
	}
	return f.Err("the filters are not valid")
}

// PublicContracts lists the published contracts (live and ended, not pending) by reference, with
// their annual value on today's date (see PublicContract), a page at a time or, with p.All, all at
// once. Bad filters are an invalid error (see PublicParams.validate).
func (s *Service) PublicContracts(ctx context.Context, p PublicParams) (page.Page[PublicContract], error) {
	p.Region, p.ContractType = strings.TrimSpace(p.Region), strings.TrimSpace(p.ContractType)
	if err := p.validate(s.ref); err != nil {
		return page.Page[PublicContract]{}, err
	}
	f := publicFilter{Region: p.Region, ContractType: p.ContractType, Status: p.Status, Today: s.Today()}
	if !p.All {
		f.Limit = p.Page.Limit
		if f.Limit <= 0 {
			f.Limit = page.DefaultLimit
		}
		var after listKey
		has, err := page.Decode(p.Page.Cursor, &after)
		if err != nil {
			return page.Page[PublicContract]{}, err
		}
		if has {
			f.After = &after
		}
	}
	var out []PublicContract
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = s.published(ctx, tx, f)
		return err
	}, readOnlySnapshot)
	if err != nil {
		return page.Page[PublicContract]{}, fmt.Errorf("published contracts: %w", err)
	}
	if p.All {
		return page.Page[PublicContract]{Items: out}, nil
	}
	return page.Build(out, f.Limit, func(c PublicContract) any { return listKey{Reference: c.Reference, ID: c.ID} }), nil
}

// SummaryParams filter the contracts ValueSummary adds up.
type SummaryParams struct {
	// Status is StateLive or StateEnded; zero is both, the same contracts PublicContracts lists.
	Status State
}

// ValueSummary returns the share of contract value by the prime's organisation type, nationally and
// per region, over the published contracts on today's date (see Summarise and ScopeValue for what
// the figures mean). A bad status is invalid_status.
func (s *Service) ValueSummary(ctx context.Context, p SummaryParams) (ValueSummary, error) {
	if err := (PublicParams{Status: p.Status}).validate(s.ref); err != nil {
		return ValueSummary{}, err
	}
	today := s.Today()
	var cs []ValuedContract
	// One snapshot: the contracts and their bands are read in one read-only transaction, so that a
	// change committed in between cannot make the totals disagree with each other.
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rows, err := valuedContracts(ctx, tx, publicFilter{Status: p.Status, Today: today})
		if err != nil {
			return err
		}
		dates := make(map[uuid.UUID]span, len(rows))
		for _, r := range rows {
			dates[r.ID] = span{r.StartDate, r.EffectiveEndDate}
		}
		vals, err := valuations(ctx, tx, dates, today)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if v, ok := vals[r.ID]; ok {
				cs = append(cs, r.valued(v))
			}
		}
		return nil
	}, readOnlySnapshot)
	if err != nil {
		return ValueSummary{}, fmt.Errorf("contract value summary: %w", err)
	}
	return Summarise(today, s.ref.Regions, cs), nil
}

// published reads the contracts of the filter and values them on f.Today. The extra row of a page
// (see page.Build) is valued too, which costs nothing worth saving.
func (s *Service) published(ctx context.Context, db *gorm.DB, f publicFilter) ([]PublicContract, error) {
	cs, err := publicContracts(ctx, db, f)
	if err != nil {
		return nil, err
	}
	dates := make(map[uuid.UUID]span, len(cs))
	for _, c := range cs {
		dates[c.ID] = span{c.Start, c.EffectiveEnd()}
	}
	vals, err := valuations(ctx, db, dates, f.Today)
	if err != nil {
		return nil, err
	}
	out := make([]PublicContract, 0, len(cs))
	for _, c := range cs {
		if v, ok := vals[c.ID]; ok {
			out = append(out, PublicContract{Contract: c, Place: s.placeOf(c), Valuation: v})
		}
	}
	return out, nil
}

// span is a contract's first day and effective last day.
type span struct{ start, end calendar.Date }

// valuations values contracts, given by id with their start and effective end dates, on day asOf.
// A contract not published that day (which the queries' own date conditions already leave out) has
// no entry.
func valuations(ctx context.Context, db *gorm.DB, dates map[uuid.UUID]span, asOf calendar.Date) (map[uuid.UUID]Valuation, error) {
	years := make(map[uuid.UUID]Year, len(dates))
	states := make(map[uuid.UUID]State, len(dates))
	for id, d := range dates {
		if y, st, ok := valueYear(d.start, d.end, asOf); ok {
			years[id], states[id] = y, st
		}
	}
	figures, err := yearFigures(ctx, db, years)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]Valuation, len(figures))
	for id, y := range figures {
		out[id] = valuation(y, states[id], asOf)
	}
	return out, nil
}

// readOnlySnapshot is a repeatable-read, read-only transaction: every query in it sees the same
// committed data.
var readOnlySnapshot = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
