package payments

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/ids"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/payments/volumes"
)

type snapshotRow struct {
	ID             uuid.UUID
	ContractID     uuid.UUID
	YearNumber     int
	AsOf           calendar.Date `gorm:"column:as_of;type:date"`
	ComputedAt     time.Time
	CountedYTD     int `gorm:"column:counted_ytd"`
	Projected      *int
	DaysElapsed    int
	IndicatedBand  *int
	BasisBand      *int
	VolumeCap      int
	PercentOfCapBP int `gorm:"column:percent_of_cap_bp"`
	Status         string
	OverCap        int
	Monthly        []byte `gorm:"type:jsonb"`
}

func (snapshotRow) TableName() string { return "volume_snapshots" }

func intPtr(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// writeSnapshots stores the pictures as the snapshots of their day, replacing any taken earlier the
// same day (never duplicating them).
func writeSnapshots(ctx context.Context, tx *gorm.DB, pics []volumes.Picture, at time.Time) error {
	if len(pics) == 0 {
		return nil
	}
	rows := make([]snapshotRow, len(pics))
	for i, p := range pics {
		monthly, err := json.Marshal(p.Months)
		if err != nil {
			return fmt.Errorf("encode monthly volumes: %w", err)
		}
		rows[i] = snapshotRow{ID: ids.New(), ContractID: p.ContractID, YearNumber: p.Year.Number, AsOf: p.AsOf, ComputedAt: at,
			CountedYTD: p.CountedYTD, Projected: p.Projected, DaysElapsed: p.DaysElapsed, IndicatedBand: intPtr(p.IndicatedBand),
			BasisBand: intPtr(p.BasisBand), VolumeCap: p.Cap, PercentOfCapBP: p.PercentOfCapBP, Status: string(p.Status),
			OverCap: p.OverCap, Monthly: monthly}
	}
	err := tx.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "contract_id"}, {Name: "year_number"}, {Name: "as_of"}},
		DoUpdates: clause.AssignmentColumns([]string{"computed_at", "counted_ytd", "projected", "days_elapsed", "indicated_band",
			"basis_band", "volume_cap", "percent_of_cap_bp", "status", "over_cap", "monthly"}),
	}).CreateInBatches(&rows, 500).Error
	if err != nil {
		return fmt.Errorf("store volume snapshots: %w", err)
	}
	return nil
}

// Snapshot is a stored daily picture of a contract year.
type Snapshot struct {
	AsOf           calendar.Date  `json:"as_of"`
	ComputedAt     time.Time      `json:"computed_at"`
	CountedYTD     int            `json:"counted_ytd"`
	Projected      *int           `json:"projected"`
	DaysElapsed    int            `json:"days_elapsed"`
	IndicatedBand  *int           `json:"indicated_band"`
	BasisBand      *int           `json:"basis_band"`
	Cap            int            `json:"cap"`
	PercentOfCapBP int            `json:"percent_of_cap_bp"`
	Status         volumes.Status `json:"status"`
	OverCap        int            `json:"over_cap"`
}

func snapshotsOf(ctx context.Context, db *gorm.DB, contractID uuid.UUID, year int) ([]Snapshot, error) {
	var rows []snapshotRow
	err := db.WithContext(ctx).Where("contract_id = ? AND year_number = ?", contractID, year).Order("as_of").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read volume snapshots: %w", err)
	}
	out := make([]Snapshot, len(rows))
	for i, r := range rows {
		out[i] = Snapshot{AsOf: r.AsOf, ComputedAt: r.ComputedAt.UTC(), CountedYTD: r.CountedYTD, Projected: r.Projected,
			DaysElapsed: r.DaysElapsed, IndicatedBand: r.IndicatedBand, BasisBand: r.BasisBand, Cap: r.VolumeCap,
			PercentOfCapBP: r.PercentOfCapBP, Status: volumes.Status(r.Status), OverCap: r.OverCap}
	}
	return out, nil
}

// Alert is a raised volume alert.
type Alert struct {
	ID         uuid.UUID         `json:"id"`
	ContractID uuid.UUID         `json:"contract_id"`
	Reference  string            `json:"contract_reference"`
	RegionCode string            `json:"region"`
	YearNumber int               `json:"year"`
	Kind       volumes.AlertKind `json:"kind"`
	RaisedAt   time.Time         `json:"raised_at"`
	AsOf       calendar.Date     `json:"as_of"`
	CountedYTD int               `json:"counted_ytd"`
	Projected  *int              `json:"projected"`
	Cap        int               `json:"cap"`
	Message    string            `json:"message"`
}

type alertRow struct {
	ID         uuid.UUID
	ContractID uuid.UUID
	YearNumber int
	Kind       string
	RaisedAt   time.Time
	AsOf       calendar.Date `gorm:"column:as_of;type:date"`
	CountedYTD int           `gorm:"column:counted_ytd"`
	Projected  *int
	VolumeCap  int
	Message    string
}

func (alertRow) TableName() string { return "volume_alerts" }

// raiseAlerts inserts the alerts not raised before for their contract, year and kind, and returns
// those it inserted.
func raiseAlerts(ctx context.Context, tx *gorm.DB, rows []alertRow) ([]alertRow, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	var raised []alertRow
	err := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("raise volume alerts: %w", err)
	}
	// Conflicting rows were skipped: reading back the ids generated here finds exactly the inserted ones.
	idsIn := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		idsIn[i] = r.ID
	}
	if err := tx.WithContext(ctx).Where("id IN ?", idsIn).Find(&raised).Error; err != nil {
		return nil, fmt.Errorf("read raised alerts: %w", err)
	}
	return raised, nil
}

// AlertParams filter the alert list.
type AlertParams struct {
	Region     string
	ContractID uuid.UUID
	Kind       string
	Page       page.Params
}

type alertListRow struct {
	Alert      alertRow `gorm:"embedded"`
	Reference  string
	RegionCode string
}

func listAlerts(ctx context.Context, db *gorm.DB, sc scope, p AlertParams) (page.Page[Alert], error) {
	var after struct {
		ID uuid.UUID `json:"i"`
	}
	has, err := page.Decode(p.Page.Cursor, &after)
	if err != nil {
		return page.Page[Alert]{}, err
	}
	q := db.WithContext(ctx).Table("volume_alerts a").Select("a.*, c.reference, c.region_code").
		Joins("JOIN contracts c ON c.id = a.contract_id")
	q = sc.filter(q, "c")
	if p.Region != "" {
		q = q.Where("c.region_code = ?", p.Region)
	}
	if p.ContractID != uuid.Nil {
		q = q.Where("a.contract_id = ?", p.ContractID)
	}
	if p.Kind != "" {
		q = q.Where("a.kind = ?", p.Kind)
	}
	if has {
		q = q.Where("a.id < ?", after.ID)
	}
	var rows []alertListRow
	if err := q.Order("a.id DESC").Limit(p.Page.Limit + 1).Scan(&rows).Error; err != nil {
		return page.Page[Alert]{}, fmt.Errorf("list alerts: %w", err)
	}
	out := make([]Alert, len(rows))
	for i, r := range rows {
		a := r.Alert
		out[i] = Alert{ID: a.ID, ContractID: a.ContractID, Reference: r.Reference, RegionCode: r.RegionCode, YearNumber: a.YearNumber,
			Kind: volumes.AlertKind(a.Kind), RaisedAt: a.RaisedAt.UTC(), AsOf: a.AsOf, CountedYTD: a.CountedYTD,
			Projected: a.Projected, Cap: a.VolumeCap, Message: a.Message}
	}
	return page.Build(out, p.Page.Limit, func(a Alert) any { after.ID = a.ID; return after }), nil
}
