package returns

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/audit"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/internal/queue"
	"github.com/crsplatform/crs/internal/reference"
	"github.com/crsplatform/crs/payments"
)

// Config configures the service.
type Config struct {
	// Pool streams the Referrals sheet's rows (the same pool as the GORM handle).
	Pool      *pgxpool.Pool
	Reference *reference.Data
	Payments  *payments.Service
	Inserter  *queue.Inserter
	Now       func() time.Time
	// StuckAfter is how long a build may run before the return shows as stuck (its worker died or
	// hangs) and may be retried: the build job's timeout. Zero means 15 minutes.
	StuckAfter time.Duration
}

// Service requests, lists, builds and serves returns.
type Service struct {
	db  *gorm.DB
	cfg Config
}

// NewService returns the service.
func NewService(db *gorm.DB, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.StuckAfter <= 0 {
		cfg.StuckAfter = 15 * time.Minute
	}
	return &Service{db: db, cfg: cfg}
}

// regionScope returns the regions whose returns the actor sees (nil: all, national included).
func regionScope(a actor.Actor) ([]string, error) {
	switch a.Role {
	case actor.RoleAdmin:
		return nil, nil
	case actor.RoleCommissioner:
		return slices.Clone(a.Regions), nil
	default:
		return nil, apperr.Forbidden("role_not_allowed", "only commissioners and admins receive returns")
	}
}

// RequestParams are a return request's inputs, as sent.
type RequestParams struct {
	Scope  string
	Region string
	Period string
}

// Request queues a return and its build job in one transaction. Commissioners may request returns of
// their own regions; admins any, national ones included. Field errors: scope invalid_scope; region
// region_required, region_not_allowed (national), unknown_region; period invalid_period,
// period_in_future. A commissioner asking for another region or a national return is forbidden.
func (s *Service) Request(ctx context.Context, a actor.Actor, p RequestParams) (Return, error) {
	regions, err := regionScope(a)
	if err != nil {
		return Return{}, err
	}
	var f apperr.Fields
	scope := Scope(strings.ToLower(strings.TrimSpace(p.Scope)))
	region := strings.ToUpper(strings.TrimSpace(p.Region))
	switch scope {
	case ScopeNational:
		f.Check(region == "", "region", "region_not_allowed", "a national return covers every region; leave region out")
	case ScopeRegion:
		if f.Check(region != "", "region", "region_required", "a regional return needs its region code") {
			_, ok := s.cfg.Reference.Region(region)
			f.Check(ok, "region", "unknown_region", "region "+region+" does not exist")
		}
	default:
		f.Add("scope", "invalid_scope", `scope must be "national" or "region"`)
	}
	period, perr := calendar.ParseMonth(strings.TrimSpace(p.Period))
	if f.Check(perr == nil, "period", "invalid_period", "period must be a month, YYYY-MM") {
		f.Check(!period.After(calendar.BusinessDay(s.cfg.Now()).CalendarMonth()), "period", "period_in_future", "a return cannot be for a month that has not started")
	}
	if err := f.Err("the return request is not valid"); err != nil {
		return Return{}, err
	}
	if regions != nil {
		if scope == ScopeNational {
			return Return{}, apperr.Forbidden("national_return_not_allowed", "national returns are for admins; request your region's return")
		}
		if !slices.Contains(regions, region) {
			return Return{}, apperr.Forbidden("region_not_in_scope", "you can request returns of your own regions only")
		}
	}
	row := returnRow{ID: ids.New(), Scope: string(scope), Period: period.First(), Status: string(StatusQueued), CreatedAt: s.cfg.Now().UTC()}
	if scope == ScopeRegion {
		row.RegionCode = &region
	}
	if a.UserID != uuid.Nil {
		id := a.UserID
		row.RequestedBy = &id
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertReturn(ctx, tx, row); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, audit.Change{Action: "return.requested", EntityType: "return", EntityID: row.ID, After: row.ret()}); err != nil {
			return err
		}
		return s.cfg.Inserter.InsertTx(ctx, tx, BuildArgs{ReturnID: row.ID}, nil)
	})
	if err != nil {
		return Return{}, fmt.Errorf("request return: %w", err)
	}
	return row.ret(), nil
}

// List lists the returns the actor sees, newest first.
func (s *Service) List(ctx context.Context, a actor.Actor, p page.Params) (page.Page[Return], error) {
	regions, err := regionScope(a)
	if err != nil {
		return page.Page[Return]{}, err
	}
	res, err := listReturns(ctx, s.db, regions, p)
	for i := range res.Items {
		res.Items[i] = s.withStuck(res.Items[i])
	}
	return res, err
}

// Get returns one return; one outside the actor's scope is not found.
func (s *Service) Get(ctx context.Context, a actor.Actor, id uuid.UUID) (Return, error) {
	regions, err := regionScope(a)
	if err != nil {
		return Return{}, err
	}
	r, err := getReturn(ctx, s.db, id)
	if err != nil {
		return Return{}, err
	}
	if regions != nil && (r.RegionCode == nil || !slices.Contains(regions, *r.RegionCode)) {
		return Return{}, apperr.NotFound("return")
	}
	return s.withStuck(r.ret()), nil
}

// Download returns a ready return's file name and content; a return not ready conflicts
// (return_not_ready).
func (s *Service) Download(ctx context.Context, a actor.Actor, id uuid.UUID) (string, []byte, error) {
	r, err := s.Get(ctx, a, id)
	if err != nil {
		return "", nil, err
	}
	if r.Status != StatusReady {
		return "", nil, apperr.Conflict("return_not_ready", fmt.Sprintf("the return is %s, not ready yet", r.Status))
	}
	b, err := content(ctx, s.db, id)
	if err != nil {
		return "", nil, err
	}
	return r.FileName, b, nil
}

// Build builds a queued return's workbook and stores it. On failure it records the reason: the return
// goes back to queued for the job's retry, or, on the last attempt, to failed.
func (s *Service) Build(ctx context.Context, id uuid.UUID, attempt int) error {
	row, err := getReturn(ctx, s.db, id)
	if err != nil {
		return err
	}
	if Status(row.Status) == StatusReady {
		return nil // built already: the job is idempotent
	}
	started := s.cfg.Now().UTC()
	if err := setStatus(ctx, s.db, id, map[string]any{"status": StatusRunning, "started_at": started, "failure": nil}); err != nil {
		return err
	}
	buf, buildErr := s.build(ctx, row.ret())
	if buildErr != nil {
		status := StatusQueued
		if attempt >= MaxAttempts {
			status = StatusFailed
		}
		reason := buildErr.Error()
		if err := setStatus(context.WithoutCancel(ctx), s.db, id, map[string]any{"status": status, "failure": reason, "finished_at": s.cfg.Now().UTC()}); err != nil {
			return err
		}
		return fmt.Errorf("build return %s: %w", id, buildErr)
	}
	sum := sha256.Sum256(buf.Bytes())
	name := FileNameFor(Scope(row.Scope), row.ret().Region, s.regionName(row.ret().Region), row.Period.CalendarMonth())
	return setStatus(ctx, s.db, id, map[string]any{"status": StatusReady, "content": buf.Bytes(), "file_name": name,
		"file_size": buf.Len(), "file_sha256": hex.EncodeToString(sum[:]), "finished_at": s.cfg.Now().UTC(), "failure": nil})
}

func (s *Service) regionName(code string) string {
	if r, ok := s.cfg.Reference.Region(code); ok {
		return r.Name
	}
	return ""
}

// sheetOrder is the order of the workbook's tabs after the ReadMe.
var sheetOrder = []string{"Summary", "Bands", "Monthly volumes", "Payments", "Queries", "Reconciliation", "Supply chain", "Referrals", "Alerts", "Checks"}

// build gathers the dataset and writes the workbook. The Referrals sheet, the largest by far, needs
// only the contracts and the period: it is written while the figures are gathered on other
// connections, and the sheets built from the figures follow.
func (s *Service) build(ctx context.Context, r Return) (*bytes.Buffer, error) {
	today := calendar.BusinessDay(s.cfg.Now())
	asOf := asOfDay(r, today)
	portfolio, err := portfolioOf(ctx, s.db, r, asOf)
	if err != nil {
		return nil, err
	}
	var (
		ds        *dataset
		gatherErr error
		done      = make(chan struct{})
	)
	go func() {
		defer close(done)
		ds, gatherErr = gather(ctx, s.db, s.cfg.Reference, r, asOf, today, portfolio)
	}()
	var buf bytes.Buffer
	err = writeWorkbook(&buf, sheetOrder, []sheet{referralsSheet(ctx, s.cfg.Pool, idsOf(portfolio), r.Period.First(), asOf)},
		func() ([][2]string, []sheet, error) {
			<-done
			if gatherErr != nil {
				return nil, nil, gatherErr
			}
			return metaOf(ds), []sheet{summarySheet(ds), bandsSheet(ds), monthlySheet(ds), paymentsSheet(ds), queriesSheet(ds),
				reconciliationSheet(ds), supplyChainSheet(ds), alertsSheet(ds), checksSheet(ds, runChecks(ds))}, nil
		})
	<-done // never leave the gathering running
	if err != nil {
		return nil, err
	}
	return &buf, nil
}

func metaOf(ds *dataset) [][2]string {
	scope := "National (every region)"
	if ds.Scope == ScopeRegion {
		scope = "Region " + ds.Region + " (" + ds.RegionName + ")"
	}
	return [][2]string{
		{"Scope", scope},
		{"Period", ds.Period.First().Time().Format("January 2006") + " (" + ds.Period.String() + "), with contract-year-to-date figures"},
		{"Generated at", ds.GeneratedAt.Format("02/01/2006 15:04 UTC")},
		{"Data as at", ds.AsOf.Time().Format("02/01/2006") + ": volumes, bands, pictures, paid-to-date and reconciliation as at the end of this day"},
		{"Payments and queries", "Requests for the months up to the period (paid monthly in arrears, so submitted after each month) and balancing requests, as they stand when the return was generated"},
		{"Contracts", fmt.Sprint(len(ds.Contracts))},
		{"Money", "Pounds sterling (GBP); dates are dd/mm/yyyy"},
	}
}

// RequestMonthly queues the national and every regional return for the month before today.
func (s *Service) RequestMonthly(ctx context.Context) ([]Return, error) {
	prev := calendar.BusinessDay(s.cfg.Now()).CalendarMonth().Prev().String()
	sys := actor.System("monthly-returns")
	var out []Return
	r, err := s.Request(ctx, sys, RequestParams{Scope: string(ScopeNational), Period: prev})
	if err != nil {
		return nil, err
	}
	out = append(out, r)
	for _, reg := range s.cfg.Reference.Regions {
		r, err := s.Request(ctx, sys, RequestParams{Scope: string(ScopeRegion), Region: reg.Code, Period: prev})
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
