package referrals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/constraint"
	"github.com/crsplatform/crs/internal/opt"
)

type referralRow struct {
	ID                            uuid.UUID
	Reference                     *string
	ContractID                    uuid.UUID
	RegionCode                    string
	PractitionerID                uuid.UUID
	Status                        string
	EndState                      *string
	CRN                           string `gorm:"column:crn"`
	PersonFirstName               *string
	PersonLastName                *string
	PersonDateOfBirth             calendar.Date `gorm:"type:date"`
	PersonSex                     *string
	PersonEthnicity               *string
	PersonPreferredLanguage       *string
	PersonInterpreterNeeded       *bool
	PersonDisabilities            *string
	PersonAccessNeeds             *string
	PersonCommitments             []byte        `gorm:"type:jsonb"`
	PersonPCCAreaCode             *string       `gorm:"column:person_pcc_area_code"`
	Setting                       *string       `gorm:"column:setting"`
	Prison                        *string       `gorm:"column:prison"`
	ExpectedReleaseDate           calendar.Date `gorm:"type:date"`
	MaxEnforceableDays            *int
	CompletionDeadline            calendar.Date `gorm:"type:date"`
	ReasonForReferral             *string
	RiskSummary                   *string
	FurtherInformation            *string
	DuplicateReason               *string
	Counted                       bool
	SentAt                        *time.Time
	SentOn                        calendar.Date `gorm:"type:date"`
	CaseworkerID                  *uuid.UUID
	AssignedAt                    *time.Time
	AssessmentDueOn               calendar.Date `gorm:"type:date"`
	AssessedOn                    calendar.Date `gorm:"type:date"`
	ActionPlanDueOn               calendar.Date `gorm:"type:date"`
	FirstActionPlanSubmittedAt    *time.Time
	ActionPlanApprovedAt          *time.Time
	EndedOn                       calendar.Date `gorm:"type:date"`
	EndOfServiceReportDueOn       calendar.Date `gorm:"type:date"`
	EndOfServiceReportSubmittedAt *time.Time
	WithdrawnAt                   *time.Time
	WithdrawalReasonCode          *string
	WithdrawalComment             *string
	ConcludedAt                   *time.Time
	Version                       int
	CreatedAt                     time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt                     time.Time `gorm:"autoUpdateTime:false"`
}

func (referralRow) TableName() string { return "referrals" }

type serviceRow struct {
	ReferralID          uuid.UUID
	ServiceCategoryCode string
	ComplexityLevel     *string
}

func (serviceRow) TableName() string { return "referral_service_categories" }

type outcomeRow struct {
	ReferralID          uuid.UUID
	ServiceCategoryCode string
	OutcomeID           uuid.UUID
}

func (outcomeRow) TableName() string { return "referral_desired_outcomes" }

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func rowOf(r Referral) (referralRow, error) {
	commitments := r.Person.Commitments
	if commitments == nil {
		commitments = []Commitment{}
	}
	cj, err := json.Marshal(commitments)
	if err != nil {
		return referralRow{}, fmt.Errorf("encode commitments: %w", err)
	}
	row := referralRow{
		ID: r.ID, Reference: opt.String(r.Reference), ContractID: r.ContractID, RegionCode: r.RegionCode, PractitionerID: r.PractitionerID,
		Status: string(r.Status), EndState: opt.String(string(r.EndState)), CRN: r.CRN,
		PersonFirstName: opt.String(r.Person.FirstName), PersonLastName: opt.String(r.Person.LastName), PersonDateOfBirth: r.Person.DateOfBirth,
		PersonSex: opt.String(string(r.Person.Sex)), PersonEthnicity: opt.String(r.Person.Ethnicity),
		PersonPreferredLanguage: opt.String(r.Person.PreferredLanguage), PersonInterpreterNeeded: r.Person.InterpreterNeeded,
		PersonDisabilities: opt.String(r.Person.Disabilities), PersonAccessNeeds: opt.String(r.Person.AccessNeeds), PersonCommitments: cj,
		PersonPCCAreaCode: opt.String(r.PCCAreaCode), Setting: opt.String(string(r.Setting)), Prison: opt.String(r.Prison),
		ExpectedReleaseDate: r.ExpectedReleaseDate, CompletionDeadline: r.CompletionDeadline,
		ReasonForReferral: opt.String(r.ReasonForReferral), RiskSummary: opt.String(r.RiskSummary), FurtherInformation: opt.String(r.FurtherInformation),
		DuplicateReason: opt.String(r.DuplicateReason), Counted: r.Counted, SentAt: r.SentAt, SentOn: r.SentOn,
		CaseworkerID: r.CaseworkerID, AssignedAt: r.AssignedAt, AssessmentDueOn: r.AssessmentDueOn, AssessedOn: r.AssessedOn,
		ActionPlanDueOn: r.ActionPlanDueOn, FirstActionPlanSubmittedAt: r.FirstActionPlanSubmittedAt, ActionPlanApprovedAt: r.ActionPlanApprovedAt,
		EndedOn: r.EndedOn, EndOfServiceReportDueOn: r.EndOfServiceReportDueOn, EndOfServiceReportSubmittedAt: r.EndOfServiceReportSubmittedAt,
		ConcludedAt: r.ConcludedAt, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.MaxEnforceableDays > 0 {
		n := r.MaxEnforceableDays
		row.MaxEnforceableDays = &n
	}
	if w := r.Withdrawal; w != nil {
		at := w.At
		row.WithdrawnAt, row.WithdrawalReasonCode, row.WithdrawalComment = &at, opt.String(w.ReasonCode), opt.String(w.Comment)
	}
	return row, nil
}

// referral converts the row; the service choices are the caller's to fill in.
func (row referralRow) referral() (Referral, error) {
	r := Referral{
		ID: row.ID, Reference: opt.Value(row.Reference), ContractID: row.ContractID, RegionCode: row.RegionCode, PractitionerID: row.PractitionerID,
		Status: Status(row.Status), EndState: EndState(opt.Value(row.EndState)), CRN: row.CRN,
		Person: Person{
			FirstName: opt.Value(row.PersonFirstName), LastName: opt.Value(row.PersonLastName), DateOfBirth: row.PersonDateOfBirth,
			Sex: contracts.Sex(opt.Value(row.PersonSex)), Ethnicity: opt.Value(row.PersonEthnicity), PreferredLanguage: opt.Value(row.PersonPreferredLanguage),
			InterpreterNeeded: row.PersonInterpreterNeeded, Disabilities: opt.Value(row.PersonDisabilities), AccessNeeds: opt.Value(row.PersonAccessNeeds),
			Commitments: []Commitment{},
		},
		PCCAreaCode: opt.Value(row.PersonPCCAreaCode), Setting: Setting(opt.Value(row.Setting)), Prison: opt.Value(row.Prison),
		ExpectedReleaseDate: row.ExpectedReleaseDate, CompletionDeadline: row.CompletionDeadline, Services: []ServiceChoice{},
		ReasonForReferral: opt.Value(row.ReasonForReferral), RiskSummary: opt.Value(row.RiskSummary), FurtherInformation: opt.Value(row.FurtherInformation),
		DuplicateReason: opt.Value(row.DuplicateReason), Counted: row.Counted, SentAt: utc(row.SentAt), SentOn: row.SentOn,
		CaseworkerID: row.CaseworkerID, AssignedAt: utc(row.AssignedAt), AssessmentDueOn: row.AssessmentDueOn, AssessedOn: row.AssessedOn,
		ActionPlanDueOn: row.ActionPlanDueOn, FirstActionPlanSubmittedAt: utc(row.FirstActionPlanSubmittedAt),
		ActionPlanApprovedAt: utc(row.ActionPlanApprovedAt), EndedOn: row.EndedOn, EndOfServiceReportDueOn: row.EndOfServiceReportDueOn,
		EndOfServiceReportSubmittedAt: utc(row.EndOfServiceReportSubmittedAt), ConcludedAt: utc(row.ConcludedAt),
		Version: row.Version, CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(),
	}
	if row.MaxEnforceableDays != nil {
		r.MaxEnforceableDays = *row.MaxEnforceableDays
	}
	if len(row.PersonCommitments) > 0 {
		if err := json.Unmarshal(row.PersonCommitments, &r.Person.Commitments); err != nil {
			return Referral{}, fmt.Errorf("decode commitments of referral %s: %w", row.ID, err)
		}
	}
	if row.WithdrawnAt != nil {
		r.Withdrawal = &Withdrawal{ReasonCode: opt.Value(row.WithdrawalReasonCode), Comment: opt.Value(row.WithdrawalComment), At: row.WithdrawnAt.UTC()}
	}
	return r, nil
}

// loadReferral reads a referral with its service choices, whoever asks (for jobs acting for the
// platform). An unknown id is not found.
func loadReferral(ctx context.Context, db *gorm.DB, id uuid.UUID) (Referral, error) {
	return loadReferralWhere(ctx, db, id, false, "TRUE", nil)
}

// loadScopedReferral reads a referral in the actor's scope (readScope) with its service choices;
// forUpdate locks its row until the transaction ends. The scope is part of the query, so a referral
// outside it is neither read nor locked: it is not found, as is an unknown id.
func loadScopedReferral(ctx context.Context, db *gorm.DB, a actor.Actor, id uuid.UUID, forUpdate bool) (Referral, error) {
	cond, args, ok := readScope(a)
	if !ok {
		return Referral{}, apperr.NotFound("referral")
	}
	return loadReferralWhere(ctx, db, id, forUpdate, cond, args)
}

func loadReferralWhere(ctx context.Context, db *gorm.DB, id uuid.UUID, forUpdate bool, scope string, scopeArgs []any) (Referral, error) {
	q := db.WithContext(ctx)
	if forUpdate {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row referralRow
	err := q.Where("id = ?", id).Where(scope, scopeArgs...).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Referral{}, apperr.NotFound("referral")
	}
	if err != nil {
		return Referral{}, fmt.Errorf("read referral %s: %w", id, err)
	}
	r, err := row.referral()
	if err != nil {
		return Referral{}, err
	}
	services, err := loadServices(ctx, db, []uuid.UUID{id})
	if err != nil {
		return Referral{}, err
	}
	if s, ok := services[id]; ok {
		r.Services = s
	}
	return r, nil
}

// loadServices reads the service choices of the referrals, in the order of the reference data's
// categories and outcomes.
func loadServices(ctx context.Context, db *gorm.DB, ids []uuid.UUID) (map[uuid.UUID][]ServiceChoice, error) {
	var services []serviceRow
	err := db.WithContext(ctx).Raw(`SELECT s.referral_id, s.service_category_code, s.complexity_level
		FROM referral_service_categories s JOIN service_categories c ON c.code = s.service_category_code
		WHERE s.referral_id IN ? ORDER BY s.referral_id, c.position`, ids).Scan(&services).Error
	if err != nil {
		return nil, fmt.Errorf("read service categories: %w", err)
	}
	var outcomes []outcomeRow
	err = db.WithContext(ctx).Raw(`SELECT o.referral_id, o.service_category_code, o.outcome_id
		FROM referral_desired_outcomes o JOIN desired_outcomes d ON d.id = o.outcome_id
		WHERE o.referral_id IN ? ORDER BY o.referral_id, d.position`, ids).Scan(&outcomes).Error
	if err != nil {
		return nil, fmt.Errorf("read desired outcomes: %w", err)
	}
	out := map[uuid.UUID][]ServiceChoice{}
	for _, s := range services {
		c := ServiceChoice{CategoryCode: s.ServiceCategoryCode, Complexity: contracts.ComplexityLevel(opt.Value(s.ComplexityLevel)), OutcomeIDs: []uuid.UUID{}}
		for _, o := range outcomes {
			if o.ReferralID == s.ReferralID && o.ServiceCategoryCode == s.ServiceCategoryCode {
				c.OutcomeIDs = append(c.OutcomeIDs, o.OutcomeID)
			}
		}
		out[s.ReferralID] = append(out[s.ReferralID], c)
	}
	return out, nil
}

func insertReferral(ctx context.Context, tx *gorm.DB, r Referral) error {
	row, err := rowOf(r)
	if err != nil {
		return err
	}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store referral: %w", err)
	}
	return nil
}

// saveReferral writes the referral's row (not its service choices) if its version is still
// previous; r.Version is the new version. A stale version is a precondition failure.
func saveReferral(ctx context.Context, tx *gorm.DB, r Referral, previous int) error {
	row, err := rowOf(r)
	if err != nil {
		return err
	}
	res := tx.WithContext(ctx).Model(&row).Where("version = ?", previous).Select("*").Omit("id", "created_at").Updates(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperr.PreconditionFailed("the referral has changed since you read it; read it again")
	}
	return nil
}

// replaceServices replaces the referral's service choices.
func replaceServices(ctx context.Context, tx *gorm.DB, id uuid.UUID, services []ServiceChoice) error {
	if err := tx.WithContext(ctx).Where("referral_id = ?", id).Delete(&serviceRow{}).Error; err != nil {
		return fmt.Errorf("clear service categories: %w", err)
	}
	for _, s := range services {
		row := serviceRow{ReferralID: id, ServiceCategoryCode: s.CategoryCode, ComplexityLevel: opt.String(string(s.Complexity))}
		if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
			return fmt.Errorf("store service category: %w", err)
		}
		for _, o := range s.OutcomeIDs {
			if err := tx.WithContext(ctx).Create(&outcomeRow{ReferralID: id, ServiceCategoryCode: s.CategoryCode, OutcomeID: o}).Error; err != nil {
				return fmt.Errorf("store desired outcome: %w", err)
			}
		}
	}
	return nil
}

func deleteReferral(ctx context.Context, tx *gorm.DB, id uuid.UUID) error {
	if err := tx.WithContext(ctx).Where("id = ? AND status = 'DRAFT'", id).Delete(&referralRow{}).Error; err != nil {
		return fmt.Errorf("delete draft %s: %w", id, err)
	}
	return nil
}

// deleteDraftsBefore deletes the drafts last changed before the time, returning their ids and
// authors.
func deleteDraftsBefore(ctx context.Context, tx *gorm.DB, before time.Time) ([]referralRow, error) {
	var rows []referralRow
	err := tx.WithContext(ctx).Raw(`DELETE FROM referrals WHERE status = 'DRAFT' AND updated_at < ? RETURNING id, practitioner_id, contract_id, crn`,
		before).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("delete stale drafts: %w", err)
	}
	return rows, nil
}

// lockContract takes the contract's row lock until the transaction ends: sends to one contract are
// serialised on it, so that the cap and duplicate checks see every earlier send.
func lockContract(ctx context.Context, tx *gorm.DB, id uuid.UUID) error {
	var got []uuid.UUID
	if err := tx.WithContext(ctx).Raw(`SELECT id FROM contracts WHERE id = ? FOR UPDATE`, id).Scan(&got).Error; err != nil {
		return fmt.Errorf("lock contract %s: %w", id, err)
	}
	if len(got) == 0 {
		return apperr.NotFound("contract")
	}
	return nil
}

// liveDuplicate reports whether another referral of the contract for the CRN is sent and not concluded.
func liveDuplicate(ctx context.Context, tx *gorm.DB, contractID uuid.UUID, crn string, except uuid.UUID) (bool, error) {
	var found bool
	err := tx.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM referrals WHERE contract_id = ? AND crn = ?
		AND status NOT IN ('DRAFT', 'CONCLUDED') AND id <> ?)`, contractID, crn, except).Scan(&found).Error
	if err != nil {
		return false, fmt.Errorf("look for a duplicate referral: %w", err)
	}
	return found, nil
}

// isReferenceClash reports whether err is the unique violation of the referral reference.
func isReferenceClash(err error) bool {
	return constraint.Violates(err, "referrals_reference_key")
}

// userSupplier returns the organisation of an active supplier user, and false for any other user.
func userSupplier(ctx context.Context, db *gorm.DB, userID uuid.UUID) (uuid.UUID, bool, error) {
	var ids []uuid.UUID
	err := db.WithContext(ctx).Raw(`SELECT supplier_id FROM users WHERE id = ? AND active AND role = 'supplier'`, userID).Scan(&ids).Error
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("read user %s: %w", userID, err)
	}
	if len(ids) == 0 {
		return uuid.Nil, false, nil
	}
	return ids[0], true, nil
}

// contractReferences returns the references of the contracts.
func contractReferences(ctx context.Context, db *gorm.DB, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID        uuid.UUID
		Reference string
	}
	if err := db.WithContext(ctx).Raw(`SELECT id, reference FROM contracts WHERE id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read contract references: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Reference
	}
	return out, nil
}

// supplyChainUsers reads the active supplier users of the organisations, by name.
func supplyChainUsers(ctx context.Context, db *gorm.DB, suppliers []uuid.UUID) ([]Caseworker, error) {
	out := []Caseworker{}
	if len(suppliers) == 0 {
		return out, nil
	}
	err := db.WithContext(ctx).Raw(`SELECT id, display_name, email, supplier_id FROM users
		WHERE role = 'supplier' AND active AND supplier_id IN ?
		ORDER BY lower(display_name), id`, suppliers).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read supply chain users: %w", err)
	}
	return out, nil
}
