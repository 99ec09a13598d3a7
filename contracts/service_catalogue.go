package contracts

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/page"
)

// requireSignedIn refuses an actor without one of the platform's roles. The catalogue is national:
// practitioners search it anywhere (DOMAIN "Users"), so it has no scope beyond being signed in.
func requireSignedIn(a actor.Actor) error {
	if !a.Is(actor.Roles...) {
		return apperr.Forbidden("role_not_allowed", "your role cannot read the catalogue")
	}
	return nil
}

// Catalogue lists the contracts open for referral on p.Date (today when zero) that match the filters,
// in p.Sort order, a page at a time. Any signed-in role may search it, nationally. Bad filters are an
// invalid error naming every problem (see CatalogueParams.validate); a cursor issued for another sort
// is invalid_cursor.
func (s *Service) Catalogue(ctx context.Context, a actor.Actor, p CatalogueParams) (page.Page[CatalogueEntry], error) {
	if err := requireSignedIn(a); err != nil {
		return page.Page[CatalogueEntry]{}, err
	}
	f, err := s.catalogueFilter(p)
	if err != nil {
		return page.Page[CatalogueEntry]{}, err
	}
	p = f.CatalogueParams
	var after catalogueKey
	has, err := page.Decode(p.Page.Cursor, &after)
	if err != nil {
		return page.Page[CatalogueEntry]{}, err
	}
	if has {
		if after.Sort != p.Sort {
			return page.Page[CatalogueEntry]{}, apperr.Invalid("invalid paging", apperr.FieldError{Field: "cursor", Code: "invalid_cursor",
				Message: "this cursor belongs to another sort order; start again without it"})
		}
		f.After = &after
	}
	cs, leads, err := catalogueContracts(ctx, s.db, f)
	if err != nil {
		return page.Page[CatalogueEntry]{}, fmt.Errorf("catalogue: %w", err)
	}
	entries := make([]CatalogueEntry, len(cs))
	keys := make(map[uuid.UUID]catalogueKey, len(cs))
	for i, c := range cs {
		entries[i] = s.catalogueEntry(c, p.Date)
		keys[c.ID] = catalogueKey{Sort: p.Sort, Lead: leads[i], Reference: c.Reference, ID: c.ID}
	}
	return page.Build(entries, p.Page.Limit, func(e CatalogueEntry) any { return keys[e.ID] }), nil
}

// CatalogueCount counts the entries Catalogue lists for the same filters, across all pages (the
// result count of the web catalogue). It refuses what Catalogue refuses.
func (s *Service) CatalogueCount(ctx context.Context, a actor.Actor, p CatalogueParams) (int, error) {
	if err := requireSignedIn(a); err != nil {
		return 0, err
	}
	f, err := s.catalogueFilter(p)
	if err != nil {
		return 0, err
	}
	return catalogueCount(ctx, s.db, f)
}

// catalogueFilter trims and validates the filters and fills the defaults.
func (s *Service) catalogueFilter(p CatalogueParams) (catalogueFilter, error) {
	p.Region, p.PCCArea = strings.TrimSpace(p.Region), strings.TrimSpace(p.PCCArea)
	p.ServiceCategory, p.ContractType = strings.TrimSpace(p.ServiceCategory), strings.TrimSpace(p.ContractType)
	p.Text = strings.TrimSpace(p.Text)
	if err := p.validate(s.ref); err != nil {
		return catalogueFilter{}, err
	}
	if p.Sort == "" {
		p.Sort = SortReference
	}
	if p.Date.IsZero() {
		p.Date = s.Today()
	}
	if p.Page.Limit <= 0 {
		p.Page.Limit = page.DefaultLimit
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	f := catalogueFilter{CatalogueParams: p}
	if pcc, ok := s.ref.PCCArea(p.PCCArea); ok {
		f.PCCRegion = pcc.RegionCode
	}
	return f, nil
}

// CatalogueEntry returns one contract as the catalogue shows it, whether or not it is open for
// referral on day on (today when zero); OpenForReferral says which. Any signed-in role may read it.
// An unknown contract is not found.
func (s *Service) CatalogueEntry(ctx context.Context, a actor.Actor, id uuid.UUID, on calendar.Date) (CatalogueEntry, error) {
	if err := requireSignedIn(a); err != nil {
		return CatalogueEntry{}, err
	}
	if on.IsZero() {
		on = s.Today()
	}
	c, err := Load(ctx, s.db, id)
	if err != nil {
		return CatalogueEntry{}, err
	}
	return s.catalogueEntry(c, on), nil
}

func (s *Service) catalogueEntry(c Contract, on calendar.Date) CatalogueEntry {
	return CatalogueEntry{Contract: c, Place: s.placeOf(c), Date: on, OpenForReferral: c.OpenOn(on)}
}

// placeOf resolves a contract's contract type, categories and area from the reference data. Codes
// are foreign keys, so a miss only leaves a name empty.
func (s *Service) placeOf(c Contract) Place {
	var p Place
	p.ContractType, _ = s.ref.ContractType(c.ContractTypeCode)
	if p.ContractType.Code == "" {
		p.ContractType.Code = c.ContractTypeCode
	}
	for _, code := range p.ContractType.Categories {
		cat, ok := s.ref.Category(code)
		if !ok {
			cat.Code = code
		}
		p.Categories = append(p.Categories, cat)
	}
	p.Region, _ = s.ref.Region(c.Area.RegionCode)
	p.Region.Code = c.Area.RegionCode
	if c.Area.IsPCC() {
		p.PCCArea, _ = s.ref.PCCArea(c.Area.PCCAreaCode)
		p.PCCArea.Code = c.Area.PCCAreaCode
	}
	return p
}
