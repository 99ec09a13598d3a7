package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/money"
	"github.com/crsplatform/crs/internal/page"
)

type recoveryRow struct {
	ID                  uuid.UUID
	ContractID          uuid.UUID
	RegionCode          string
	YearNumber          int
	AmountPence         int64
	Status              string
	RecordedAt          time.Time
	SettledAt           *time.Time
	SettledBy           *uuid.UUID
	SettlementReference *string
	Version             int
}

func (recoveryRow) TableName() string { return "recoveries" }

type recoveryReadRow struct {
	Row               recoveryRow `gorm:"embedded"`
	ContractReference string
	PrimeSupplierID   uuid.UUID
}

const recoverySelect = `r.*, c.reference AS contract_reference, c.prime_supplier_id`

func (rr recoveryReadRow) recovery() Recovery {
	r := rr.Row
	return Recovery{ID: r.ID, ContractID: r.ContractID, ContractReference: rr.ContractReference, RegionCode: r.RegionCode,
		PrimeSupplierID: rr.PrimeSupplierID, YearNumber: r.YearNumber, Amount: money.Pence(r.AmountPence), Status: RecoveryStatus(r.Status),
		RecordedAt: r.RecordedAt.UTC(), SettledAt: utcPtr(r.SettledAt), SettledBy: r.SettledBy, SettlementReference: str(r.SettlementReference),
		Version: r.Version}
}

// recoveryChange says what recordRecovery did.
type recoveryChange int

const (
	recoveryUnchanged recoveryChange = iota
	recoveryCreated
	recoveryAmended
)

// recordRecovery records a year's recovery once (unique per contract and year); while it is
// OUTSTANDING a different amount replaces the recorded one. It returns the recovery as stored.
func recordRecovery(ctx context.Context, tx *gorm.DB, r Recovery) (Recovery, recoveryChange, error) {
	var rows []struct {
		Row      recoveryRow `gorm:"embedded"`
		Inserted bool
	}
	err := tx.WithContext(ctx).Raw(`INSERT INTO recoveries (id, contract_id, region_code, year_number, amount_pence, status, recorded_at, version)
		VALUES (?, ?, ?, ?, ?, 'OUTSTANDING', ?, 1)
		ON CONFLICT (contract_id, year_number) DO UPDATE SET amount_pence = EXCLUDED.amount_pence, version = recoveries.version + 1
		WHERE recoveries.status = 'OUTSTANDING' AND recoveries.amount_pence <> EXCLUDED.amount_pence
		RETURNING recoveries.*, (xmax = 0) AS inserted`,
		r.ID, r.ContractID, r.RegionCode, r.YearNumber, int64(r.Amount), r.RecordedAt).Scan(&rows).Error
	if err != nil {
		return Recovery{}, recoveryUnchanged, fmt.Errorf("record recovery of contract %s year %d: %w", r.ContractID, r.YearNumber, err)
	}
	if len(rows) == 0 {
		stored, _, err := recoveryOf(ctx, tx, r.ContractID, r.YearNumber)
		return stored, recoveryUnchanged, err
	}
	out := recoveryReadRow{Row: rows[0].Row, ContractReference: r.ContractReference, PrimeSupplierID: r.PrimeSupplierID}.recovery()
	if rows[0].Inserted {
		return out, recoveryCreated, nil
	}
	return out, recoveryAmended, nil
}

// recoveryOf reads the recovery of a contract year, if recorded.
func recoveryOf(ctx context.Context, db *gorm.DB, contractID uuid.UUID, year int) (Recovery, bool, error) {
	return readRecoveryWhere(ctx, db, scope{all: true}, false, "r.contract_id = ? AND r.year_number = ?", contractID, year)
}

// readRecovery reads a recovery by id within the scope (one outside it is neither read nor locked);
// lock takes its row lock.
func readRecovery(ctx context.Context, db *gorm.DB, sc scope, id uuid.UUID, lock bool) (Recovery, bool, error) {
	return readRecoveryWhere(ctx, db, sc, lock, "r.id = ?", id)
}

func readRecoveryWhere(ctx context.Context, db *gorm.DB, sc scope, lock bool, where string, args ...any) (Recovery, bool, error) {
	q := sc.filter(db.WithContext(ctx).Table("recoveries r").Select(recoverySelect).Joins("JOIN contracts c ON c.id = r.contract_id").Where(where, args...), "c")
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "r"}})
	}
	var rows []recoveryReadRow
	if err := q.Scan(&rows).Error; err != nil {
		return Recovery{}, false, fmt.Errorf("read recovery: %w", err)
	}
	if len(rows) == 0 {
		return Recovery{}, false, nil
	}
	return rows[0].recovery(), true, nil
}

// settleRecovery saves a recovery's settlement; the stored version must be oldVersion.
func settleRecovery(ctx context.Context, tx *gorm.DB, r Recovery, oldVersion int) error {
	res := tx.WithContext(ctx).Exec(`UPDATE recoveries SET status = ?, settled_at = ?, settled_by = ?, settlement_reference = ?, version = ?
		WHERE id = ? AND version = ?`, string(r.Status), r.SettledAt, r.SettledBy, r.SettlementReference, r.Version, r.ID, oldVersion)
	if res.Error != nil {
		return fmt.Errorf("settle recovery %s: %w", r.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		return apperr.PreconditionFailed("the recovery changed meanwhile: read it again")
	}
	return nil
}

// RecoveryParams filter the recovery list.
type RecoveryParams struct {
	Status     RecoveryStatus
	ContractID uuid.UUID
	Page       page.Params
}

func listRecoveries(ctx context.Context, db *gorm.DB, sc scope, p RecoveryParams) (page.Page[Recovery], error) {
	var after struct {
		ID uuid.UUID `json:"i"`
	}
	has, err := page.Decode(p.Page.Cursor, &after)
	if err != nil {
		return page.Page[Recovery]{}, err
	}
	q := db.WithContext(ctx).Table("recoveries r").Select(recoverySelect).Joins("JOIN contracts c ON c.id = r.contract_id")
	switch {
	case sc.all:
	case sc.supplier != uuid.Nil:
		q = q.Where("c.prime_supplier_id = ?", sc.supplier)
	default:
		q = q.Where("r.region_code = ANY(?)", pq.StringArray(sc.regions))
	}
	if p.Status != "" {
		q = q.Where("r.status = ?", string(p.Status))
	}
	if p.ContractID != uuid.Nil {
		q = q.Where("r.contract_id = ?", p.ContractID)
	}
	if has {
		q = q.Where("r.id < ?", after.ID)
	}
	var rows []recoveryReadRow
	if err := q.Order("r.id DESC").Limit(p.Page.Limit + 1).Scan(&rows).Error; err != nil {
		return page.Page[Recovery]{}, fmt.Errorf("list recoveries: %w", err)
	}
	out := make([]Recovery, len(rows))
	for i, r := range rows {
		out[i] = r.recovery()
	}
	return page.Build(out, p.Page.Limit, func(r Recovery) any { after.ID = r.ID; return after }), nil
}

// adminUsers returns the active admins, who record payments.
func adminUsers(ctx context.Context, db *gorm.DB) ([]uuid.UUID, error) {
	var out []uuid.UUID
	if err := db.WithContext(ctx).Table("users").Where("active AND role = 'admin'").Order("id").Pluck("id", &out).Error; err != nil {
		return nil, fmt.Errorf("list admins: %w", err)
	}
	return out, nil
}
