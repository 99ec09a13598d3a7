package returns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/lib/pq"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/page"
	"github.com/crsplatform/crs/payments"
	"github.com/crsplatform/crs/payments/volumes"
)

type returnRow struct {
	ID          uuid.UUID
	Scope       string
	RegionCode  *string
	Period      calendar.Date `gorm:"type:date"`
	Status      string
	RequestedBy *uuid.UUID
	Failure     *string
	FileName    *string
	FileSize    *int64
	FileSHA256  *string `gorm:"column:file_sha256"`
	CreatedAt   time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
}

func (returnRow) TableName() string { return "returns" }

func (r returnRow) ret() Return {
	out := Return{ID: r.ID, Scope: Scope(r.Scope), Period: r.Period.CalendarMonth(), Status: Status(r.Status), RequestedBy: r.RequestedBy,
		CreatedAt: r.CreatedAt.UTC(), StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
	if r.RegionCode != nil {
		out.Region = *r.RegionCode
	}
	if r.Failure != nil {
		out.Failure = *r.Failure
	}
	if r.FileName != nil {
		out.FileName = *r.FileName
	}
	if r.FileSize != nil {
		out.FileSize = *r.FileSize
	}
	if r.FileSHA256 != nil {
		out.FileSHA256 = *r.FileSHA256
	}
	return out
}

// returnColumns are every column but the file content, which only the download reads.
var returnColumns = []string{"id", "scope", "region_code", "period", "status", "requested_by", "failure", "file_name", "file_size",
	"file_sha256", "created_at", "started_at", "finished_at"}

func insertReturn(ctx context.Context, tx *gorm.DB, r returnRow) error {
	if err := tx.WithContext(ctx).Select(returnColumns).Create(&r).Error; err != nil {
		return fmt.Errorf("store return: %w", err)
	}
	return nil
}

func getReturn(ctx context.Context, db *gorm.DB, id uuid.UUID) (returnRow, error) {
	var r returnRow
	err := db.WithContext(ctx).Select(returnColumns).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return returnRow{}, apperr.NotFound("return")
	}
	if err != nil {
		return returnRow{}, fmt.Errorf("read return %s: %w", id, err)
	}
	return r, nil
}

// regionsFilter restricts a returns query to region returns of the regions (nil: no restriction).
func regionsFilter(q *gorm.DB, regions []string) *gorm.DB {
	if regions == nil {
		return q
	}
	return q.Where("scope = 'region' AND region_code = ANY(?)", pq.StringArray(regions))
}

func listReturns(ctx context.Context, db *gorm.DB, regions []string, p page.Params) (page.Page[Return], error) {
	var before uuid.UUID
	has, err := page.Decode(p.Cursor, &before)
	if err != nil {
		return page.Page[Return]{}, err
	}
	q := regionsFilter(db.WithContext(ctx).Model(&returnRow{}).Select(returnColumns), regions)
	if has {
		q = q.Where("id < ?", before)
	}
	var rows []returnRow
	if err := q.Order("id DESC").Limit(p.Limit + 1).Find(&rows).Error; err != nil {
		return page.Page[Return]{}, fmt.Errorf("list returns: %w", err)
	}
	out := make([]Return, len(rows))
	for i, r := range rows {
		out[i] = r.ret()
	}
	return page.Build(out, p.Limit, func(r Return) any { return r.ID }), nil
}

// content reads a ready return's file.
func content(ctx context.Context, db *gorm.DB, id uuid.UUID) ([]byte, error) {
	var b []byte
	if err := db.WithContext(ctx).Raw(`SELECT content FROM returns WHERE id = ?`, id).Row().Scan(&b); err != nil {
		return nil, fmt.Errorf("read return file %s: %w", id, err)
	}
	return b, nil
}

func setStatus(ctx context.Context, db *gorm.DB, id uuid.UUID, updates map[string]any) error {
	if err := db.WithContext(ctx).Model(&returnRow{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("update return %s: %w", id, err)
	}
	return nil
}

// alertsFor lists the alerts of the contracts raised on or before the day, oldest first.
func alertsFor(ctx context.Context, db *gorm.DB, ids []uuid.UUID, asOf calendar.Date) ([]payments.Alert, error) {
	var rows []struct {
		ID         uuid.UUID
		ContractID uuid.UUID
		Reference  string
		RegionCode string
		YearNumber int
		Kind       string
		RaisedAt   time.Time
		AsOf       calendar.Date `gorm:"column:as_of"`
		CountedYTD int           `gorm:"column:counted_ytd"`
		Projected  *int
		VolumeCap  int
		Message    string
	}
	if len(ids) == 0 {
		return nil, nil
	}
	err := db.WithContext(ctx).Raw(`SELECT a.*, c.reference, c.region_code FROM volume_alerts a JOIN contracts c ON c.id = a.contract_id
		WHERE a.contract_id IN ? AND a.as_of <= ? ORDER BY a.raised_at, a.id`, ids, asOf).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read alerts: %w", err)
	}
	out := make([]payments.Alert, len(rows))
	for i, r := range rows {
		out[i] = payments.Alert{ID: r.ID, ContractID: r.ContractID, Reference: r.Reference, RegionCode: r.RegionCode, YearNumber: r.YearNumber,
			Kind: volumes.AlertKind(r.Kind), RaisedAt: r.RaisedAt.UTC(), AsOf: r.AsOf, CountedYTD: r.CountedYTD, Projected: r.Projected,
			Cap: r.VolumeCap, Message: r.Message}
	}
	return out, nil
}

// recoveriesFor reads the recoveries recorded for the contracts' years.
func recoveriesFor(ctx context.Context, db *gorm.DB, ids []uuid.UUID) (map[recoveryKey]recovery, error) {
	out := map[recoveryKey]recovery{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ContractID          uuid.UUID
		YearNumber          int
		AmountPence         int64
		Status              string
		SettlementReference *string
	}
	err := db.WithContext(ctx).Raw(`SELECT contract_id, year_number, amount_pence, status, settlement_reference FROM recoveries WHERE contract_id IN ?`, ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read recoveries: %w", err)
	}
	for _, r := range rows {
		out[recoveryKey{r.ContractID, r.YearNumber}] = recovery{AmountPence: r.AmountPence, Status: r.Status, Reference: r.SettlementReference}
	}
	return out, nil
}

// referralRow is one pseudonymised referral of the Referrals sheet: no names, no CRN.
type referralRow struct {
	Reference    string
	Contract     string
	ContractType string
	Region       string
	Categories   string
	Complexity   string
	SentOn       calendar.Date
	Status       string
	EndState     *string
	Withdrawal   *string
	Counted      bool
}

// eachReferral streams the referrals sent in the period to the contracts, contract by contract (in
// the order given) and newest first within each, without holding them in memory. That order is the
// one the referrals list index keeps (contract, sent_at desc, id desc), so rows flow at once with no
// sort; the sent_at range (a day wider than the UK dates, which sent_on then narrows exactly) lets the
// index find them. It reads through pgx directly (binary protocol, no database/sql conversions), and
// categories come as one row each (a hash join is far cheaper than an aggregate per referral) and
// are folded here.
func eachReferral(ctx context.Context, pool *pgxpool.Pool, ids []uuid.UUID, from, to calendar.Date, fn func(referralRow) error) error {
	for _, id := range ids {
		if err := eachReferralOf(ctx, pool, id, from, to, fn); err != nil {
			return err
		}
	}
	return nil
}

func eachReferralOf(ctx context.Context, pool *pgxpool.Pool, contractID uuid.UUID, from, to calendar.Date, fn func(referralRow) error) error {
	rows, err := pool.Query(ctx, `
		SELECT r.id, r.reference, c.reference, c.contract_type_code, r.region_code, s.service_category_code, s.complexity_level,
		       r.sent_on, r.status, r.end_state, r.withdrawal_reason_code, r.counted
		FROM referrals r
		JOIN contracts c ON c.id = r.contract_id
		LEFT JOIN referral_service_categories s ON s.referral_id = r.id
		WHERE r.contract_id = $1 AND r.status <> 'DRAFT' AND r.sent_on BETWEEN $2 AND $3
		  AND r.sent_at >= ($2::date - 1)::timestamp AT TIME ZONE 'UTC' AND r.sent_at < ($3::date + 2)::timestamp AT TIME ZONE 'UTC'
		ORDER BY r.sent_at DESC, r.id DESC, s.service_category_code`, contractID, from.Time(), to.Time())
	if err != nil {
		return fmt.Errorf("read referrals: %w", err)
	}
	defer rows.Close()
	var (
		cur           referralRow
		curID, id     [16]byte
		have          bool
		cats, levels  strings.Builder
		r             referralRow
		cat, level    *string
		endState, wdr *string
		sentOn        time.Time
	)
	flush := func() error {
		cur.Categories, cur.Complexity = cats.String(), levels.String()
		cats.Reset()
		levels.Reset()
		return fn(cur)
	}
	for rows.Next() {
		if err := rows.Scan(&id, &r.Reference, &r.Contract, &r.ContractType, &r.Region, &cat, &level, &sentOn,
			&r.Status, &endState, &wdr, &r.Counted); err != nil {
			return fmt.Errorf("read referral row: %w", err)
		}
		if !have || id != curID {
			if have {
				if err := flush(); err != nil {
					return err
				}
			}
			r.SentOn, r.EndState, r.Withdrawal = calendar.DateOf(sentOn), endState, wdr
			cur, curID, have = r, id, true
		}
		if cat != nil {
			if cats.Len() > 0 {
				cats.WriteString("; ")
				levels.WriteString("; ")
			}
			cats.WriteString(*cat)
			levels.WriteString(*cat)
			levels.WriteString(": ")
			if level != nil {
				levels.WriteString(*level)
			} else {
				levels.WriteString("-")
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read referrals: %w", err)
	}
	if have {
		return flush()
	}
	return nil
}
