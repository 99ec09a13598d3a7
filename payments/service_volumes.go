package payments

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/notify"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/payments/volumes"
)

// ReconcileParams select a reconciliation run.
type ReconcileParams struct {
	// ContractIDs limits the run; nil means every contract live on AsOf (in the actor's scope).
	ContractIDs []uuid.UUID
	// AsOf is the day to reconcile as of; zero means today.
	AsOf calendar.Date
}

// RunResult summarises a reconciliation run.
type RunResult struct {
	AsOf      calendar.Date
	Pictures  []volumes.Picture
	NewAlerts []Alert
}

// Reconcile computes the current contract year's picture of every selected contract, stores it as the
// day's snapshot (replacing one taken earlier that day) and raises the alerts due that were not raised
// before, notifying the region's commissioners. It runs in one transaction: a run that fails leaves
// the previous snapshots as they were. Admins and commissioners (their regions) may run it.
func (s *Service) Reconcile(ctx context.Context, a actor.Actor, p ReconcileParams) (RunResult, error) {
	if !a.Is(actor.RoleAdmin, actor.RoleCommissioner) {
		return RunResult{}, apperr.Forbidden("role_not_allowed", "only commissioners and admins run reconciliations")
	}
	sc, _ := scopeOf(a)
	asOf := p.AsOf
	if asOf.IsZero() {
		asOf = s.Today()
	}
	filter := contracts.PortfolioFilter{IDs: p.ContractIDs}
	if p.ContractIDs == nil {
		filter.LiveOn = asOf
	}
	portfolio, err := contracts.LoadPortfolio(ctx, s.db, sc.portfolio(filter))
	if err != nil {
		return RunResult{}, err
	}
	if p.ContractIDs != nil && len(portfolio) != len(slices.Compact(slices.Clone(p.ContractIDs))) {
		return RunResult{}, apperr.NotFound("contract")
	}
	pics, err := s.Pictures(ctx, portfolio, asOf)
	if err != nil {
		return RunResult{}, err
	}
	res := RunResult{AsOf: asOf, Pictures: pics}
	now := s.cfg.Now().UTC()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := writeSnapshots(ctx, tx, pics, now); err != nil {
			return err
		}
		var due []alertRow
		for _, pic := range pics {
			for _, k := range pic.AlertsDue {
				due = append(due, alertRow{ID: ids.New(), ContractID: pic.ContractID, YearNumber: pic.Year.Number, Kind: string(k),
					RaisedAt: now, AsOf: asOf, CountedYTD: pic.CountedYTD, Projected: pic.Projected, VolumeCap: pic.Cap,
					Message: volumes.AlertMessage(pic, k)})
			}
		}
		raised, err := raiseAlerts(ctx, tx, due)
		if err != nil {
			return err
		}
		for _, r := range raised {
			alert, err := s.announceAlert(ctx, tx, a, r, pics)
			if err != nil {
				return err
			}
			res.NewAlerts = append(res.NewAlerts, alert)
		}
		return nil
	})
	if err != nil {
		return RunResult{}, fmt.Errorf("reconcile as of %s: %w", asOf, err)
	}
	return res, nil
}

// announceAlert audits a newly raised alert and notifies the commissioners of the contract's region,
// in-app and by e-mail (sent when SMTP is configured).
func (s *Service) announceAlert(ctx context.Context, tx *gorm.DB, a actor.Actor, r alertRow, pics []volumes.Picture) (Alert, error) {
	i := slices.IndexFunc(pics, func(p volumes.Picture) bool { return p.ContractID == r.ContractID })
	pic := pics[i]
	alert := Alert{ID: r.ID, ContractID: r.ContractID, Reference: pic.Reference, RegionCode: pic.RegionCode, YearNumber: r.YearNumber,
		Kind: volumes.AlertKind(r.Kind), RaisedAt: r.RaisedAt, AsOf: r.AsOf, CountedYTD: r.CountedYTD, Projected: r.Projected,
		Cap: r.VolumeCap, Message: r.Message}
	if err := audit.Record(ctx, tx, a, audit.Change{Action: "volume.alert_raised", EntityType: "contract", EntityID: r.ContractID, After: alert}); err != nil {
		return Alert{}, err
	}
	users, err := notify.RegionUsers(ctx, tx, string(actor.RoleCommissioner), pic.RegionCode)
	if err != nil {
		return Alert{}, err
	}
	title := fmt.Sprintf("%s alert: %s", r.Kind, pic.Reference)
	if err := notify.Send(ctx, tx, users, notify.Message{Kind: "volume_alert", Title: title, Body: r.Message, EntityType: "contract", EntityID: r.ContractID}); err != nil {
		return Alert{}, err
	}
	if len(users) > 0 && s.cfg.Inserter != nil {
		if err := s.cfg.Inserter.InsertTx(ctx, tx, notify.EmailArgs{UserIDs: users, Subject: title, Body: r.Message}, nil); err != nil {
			return Alert{}, err
		}
	}
	return alert, nil
}

// Pictures computes, without storing anything, the picture of each contract's year containing asOf
// (volumes.Pictures). Contracts not live on asOf are left out.
func (s *Service) Pictures(ctx context.Context, portfolio []contracts.WithYears, asOf calendar.Date) ([]volumes.Picture, error) {
	var years []volumes.YearOf
	for _, c := range portfolio {
		if y, ok := c.YearOn(asOf); ok {
			years = append(years, volumes.YearOf{Contract: c, Year: y})
		}
	}
	return volumes.Pictures(ctx, s.db, Ledger{}, years, asOf)
}

// yearPicture computes one contract year's picture as of a day (volumes.Pictures): counted to the
// year's end once it has ended, and settled with the entitlements paid for it on or before that day.
func (s *Service) yearPicture(ctx context.Context, c contracts.WithYears, y contracts.YearDetail, asOf calendar.Date) (volumes.Picture, error) {
	pics, err := volumes.Pictures(ctx, s.db, Ledger{}, []volumes.YearOf{{Contract: c, Year: y}}, asOf)
	if err != nil {
		return volumes.Picture{}, err
	}
	return pics[0], nil
}

// ContractVolumes is a contract year's current picture with its stored snapshots.
type ContractVolumes struct {
	Contract  contracts.WithYears
	Picture   volumes.Picture
	Snapshots []Snapshot
}

// ContractVolumes returns year n's picture as of a day (zero: today; n zero: the year containing that
// day, else the last) and its snapshots. A contract outside the actor's scope, or a year it does not
// have, is not found.
func (s *Service) ContractVolumes(ctx context.Context, a actor.Actor, id uuid.UUID, n int, asOf calendar.Date) (ContractVolumes, error) {
	c, err := s.scopedContract(ctx, a, id)
	if err != nil {
		return ContractVolumes{}, err
	}
	today := asOf
	if today.IsZero() {
		today = s.Today()
	}
	var y contracts.YearDetail
	switch {
	case n == 0:
		var ok bool
		if y, ok = c.YearOn(today); !ok && len(c.Years) > 0 {
			y = c.Years[len(c.Years)-1]
			if today.Before(c.Start) {
				y = c.Years[0]
			}
		}
	case n >= 1 && n <= len(c.Years):
		y = c.Years[n-1]
	default:
		return ContractVolumes{}, apperr.NotFound("contract year")
	}
	if y.Number == 0 {
		return ContractVolumes{}, apperr.NotFound("contract year")
	}
	pic, err := s.yearPicture(ctx, c, y, today)
	if err != nil {
		return ContractVolumes{}, err
	}
	snaps, err := snapshotsOf(ctx, s.db, c.ID, y.Number)
	if err != nil {
		return ContractVolumes{}, err
	}
	return ContractVolumes{Contract: c, Picture: pic, Snapshots: snaps}, nil
}

// scopedContract loads a contract with its years if the actor may see its volumes: the scope is part
// of the query, so a contract outside it is never read.
func (s *Service) scopedContract(ctx context.Context, a actor.Actor, id uuid.UUID) (contracts.WithYears, error) {
	sc, err := scopeOf(a)
	if err != nil {
		return contracts.WithYears{}, err
	}
	cs, err := contracts.LoadPortfolio(ctx, s.db, sc.portfolio(contracts.PortfolioFilter{IDs: []uuid.UUID{id}}))
	if err != nil {
		return contracts.WithYears{}, err
	}
	if len(cs) != 1 {
		return contracts.WithYears{}, apperr.NotFound("contract")
	}
	return cs[0], nil
}

// PortfolioParams filter the portfolio view.
type PortfolioParams struct {
	Region       string
	ContractType string
	Status       volumes.Status
	// AsOf is the day of the pictures; zero means today.
	AsOf calendar.Date
	Page page.Params
}

// Portfolio returns the picture (as of p.AsOf, default today) of every live contract in scope, in
// reference order, filtered by region, contract type and status, one page at a time. Scope, filters and
// the cursor are applied in SQL; only the status, which the picture decides, is applied afterwards,
// reading further contracts a page at a time until the page is full.
func (s *Service) Portfolio(ctx context.Context, a actor.Actor, p PortfolioParams) (page.Page[volumes.Picture], error) {
	sc, err := scopeOf(a)
	if err != nil {
		return page.Page[volumes.Picture]{}, err
	}
	var after string
	if _, err := page.Decode(p.Page.Cursor, &after); err != nil {
		return page.Page[volumes.Picture]{}, err
	}
	today := p.AsOf
	if today.IsZero() {
		today = s.Today()
	}
	f := sc.portfolio(contracts.PortfolioFilter{LiveOn: today, AfterReference: after, Limit: p.Page.Limit + 1})
	if p.Region != "" {
		f.Regions = intersect(f.Regions, p.Region)
	}
	if p.ContractType != "" {
		f.ContractTypes = []string{p.ContractType}
	}
	var pics []volumes.Picture
	for {
		batch, err := contracts.LoadPortfolio(ctx, s.db, f)
		if err != nil {
			return page.Page[volumes.Picture]{}, err
		}
		got, err := s.Pictures(ctx, batch, today)
		if err != nil {
			return page.Page[volumes.Picture]{}, err
		}
		if p.Status != "" {
			got = slices.DeleteFunc(got, func(x volumes.Picture) bool { return x.Status != p.Status })
		}
		pics = append(pics, got...)
		if len(batch) < f.Limit || len(pics) > p.Page.Limit {
			break
		}
		f.AfterReference = strings.ToLower(batch[len(batch)-1].Reference)
	}
	if len(pics) > p.Page.Limit+1 {
		pics = pics[:p.Page.Limit+1]
	}
	return page.Build(pics, p.Page.Limit, func(x volumes.Picture) any { return strings.ToLower(x.Reference) }), nil
}

// intersect narrows a region filter (nil: every region) to one region.
func intersect(scopeRegions []string, region string) []string {
	if scopeRegions == nil || slices.Contains(scopeRegions, region) {
		return []string{region}
	}
	return []string{}
}

// Alerts lists the volume alerts in the actor's scope, newest first.
func (s *Service) Alerts(ctx context.Context, a actor.Actor, p AlertParams) (page.Page[Alert], error) {
	sc, err := scopeOf(a)
	if err != nil {
		return page.Page[Alert]{}, err
	}
	return listAlerts(ctx, s.db, sc, p)
}
