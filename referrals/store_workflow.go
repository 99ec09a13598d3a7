package referrals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/crsplatform/crs/internal/opt"
)

type appointmentRow struct {
	ID                 uuid.UUID
	ReferralID         uuid.UUID
	Kind               string
	SessionNumber      *int
	StartsAt           time.Time
	DurationMinutes    int
	Method             string
	Address            *string
	Attendance         *string
	SessionSummary     *string
	PersonResponse     *string
	Concerns           *string
	NotifyPractitioner bool
	RecordedBy         *uuid.UUID
	RecordedAt         *time.Time
	CreatedBy          uuid.UUID
	CreatedAt          time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt          time.Time `gorm:"autoUpdateTime:false"`
}

func (appointmentRow) TableName() string { return "appointments" }

func appointmentRowOf(referralID uuid.UUID, a Appointment, now time.Time) appointmentRow {
	row := appointmentRow{ID: a.ID, ReferralID: referralID, Kind: string(a.Kind), StartsAt: a.Slot.StartsAt, DurationMinutes: a.Slot.DurationMinutes,
		Method: string(a.Slot.Method), Address: opt.String(a.Slot.Address), RecordedBy: a.RecordedBy, RecordedAt: a.RecordedAt,
		CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt, UpdatedAt: now}
	if a.SessionNumber > 0 {
		n := a.SessionNumber
		row.SessionNumber = &n
	}
	if f := a.Feedback; f != nil {
		att := string(f.Attendance)
		row.Attendance, row.SessionSummary, row.PersonResponse, row.Concerns = &att, opt.String(f.SessionSummary), opt.String(f.PersonResponse), opt.String(f.Concerns)
		row.NotifyPractitioner = f.NotifyPractitioner
	}
	return row
}

func (r appointmentRow) appointment() Appointment {
	a := Appointment{ID: r.ID, Kind: AppointmentKind(r.Kind), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		Slot:       Slot{StartsAt: r.StartsAt.UTC(), DurationMinutes: r.DurationMinutes, Method: Method(r.Method), Address: opt.Value(r.Address)},
		RecordedBy: r.RecordedBy, RecordedAt: utc(r.RecordedAt), Changes: []AppointmentChange{}}
	if r.SessionNumber != nil {
		a.SessionNumber = *r.SessionNumber
	}
	if r.Attendance != nil {
		a.Feedback = &Feedback{Attendance: Attendance(*r.Attendance), SessionSummary: opt.Value(r.SessionSummary),
			PersonResponse: opt.Value(r.PersonResponse), Concerns: opt.Value(r.Concerns), NotifyPractitioner: r.NotifyPractitioner}
	}
	return a
}

type appointmentChangeRow struct {
	ID                      uuid.UUID
	AppointmentID           uuid.UUID
	PreviousStartsAt        time.Time
	NewStartsAt             time.Time
	PreviousDurationMinutes int
	NewDurationMinutes      int
	PreviousMethod          string
	NewMethod               string
	RequestedBy             string
	Reason                  string
	ChangedBy               uuid.UUID
	ChangedAt               time.Time
}

func (appointmentChangeRow) TableName() string { return "appointment_changes" }

// loadAppointments reads the referral's appointments, oldest first, each with its reschedules.
func loadAppointments(ctx context.Context, db *gorm.DB, referralID uuid.UUID) ([]Appointment, error) {
	var rows []appointmentRow
	if err := db.WithContext(ctx).Where("referral_id = ?", referralID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read appointments: %w", err)
	}
	out := make([]Appointment, len(rows))
	index := map[uuid.UUID]int{}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		out[i], index[r.ID], ids[i] = r.appointment(), i, r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var changes []appointmentChangeRow
	if err := db.WithContext(ctx).Where("appointment_id IN ?", ids).Order("changed_at, id").Find(&changes).Error; err != nil {
		return nil, fmt.Errorf("read appointment changes: %w", err)
	}
	for _, c := range changes {
		a := &out[index[c.AppointmentID]]
		a.Changes = append(a.Changes, AppointmentChange{ID: c.ID, RequestedBy: RequestedBy(c.RequestedBy), Reason: c.Reason,
			ChangedBy: c.ChangedBy, ChangedAt: c.ChangedAt.UTC(),
			Previous: Slot{StartsAt: c.PreviousStartsAt.UTC(), DurationMinutes: c.PreviousDurationMinutes, Method: Method(c.PreviousMethod)},
			New:      Slot{StartsAt: c.NewStartsAt.UTC(), DurationMinutes: c.NewDurationMinutes, Method: Method(c.NewMethod)}})
	}
	return out, nil
}

func insertAppointment(ctx context.Context, tx *gorm.DB, referralID uuid.UUID, a Appointment) error {
	row := appointmentRowOf(referralID, a, a.CreatedAt)
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store appointment: %w", err)
	}
	return nil
}

// saveAppointment writes an appointment's slot and feedback.
func saveAppointment(ctx context.Context, tx *gorm.DB, referralID uuid.UUID, a Appointment, now time.Time) error {
	row := appointmentRowOf(referralID, a, now)
	if err := tx.WithContext(ctx).Model(&row).Select("*").Omit("id", "referral_id", "kind", "session_number", "created_by", "created_at").Updates(&row).Error; err != nil {
		return fmt.Errorf("update appointment %s: %w", a.ID, err)
	}
	return nil
}

func insertAppointmentChange(ctx context.Context, tx *gorm.DB, appointmentID uuid.UUID, c AppointmentChange) error {
	row := appointmentChangeRow{ID: c.ID, AppointmentID: appointmentID, PreviousStartsAt: c.Previous.StartsAt, NewStartsAt: c.New.StartsAt,
		PreviousDurationMinutes: c.Previous.DurationMinutes, NewDurationMinutes: c.New.DurationMinutes,
		PreviousMethod: string(c.Previous.Method), NewMethod: string(c.New.Method), RequestedBy: string(c.RequestedBy),
		Reason: c.Reason, ChangedBy: c.ChangedBy, ChangedAt: c.ChangedAt}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store appointment change: %w", err)
	}
	return nil
}

type actionPlanRow struct {
	ID               uuid.UUID
	ReferralID       uuid.UUID
	Activities       []byte `gorm:"type:jsonb"`
	NumberOfSessions int
	SubmittedBy      uuid.UUID
	SubmittedAt      time.Time
	ApprovedBy       *uuid.UUID
	ApprovedAt       *time.Time
}

func (actionPlanRow) TableName() string { return "action_plans" }

// loadActionPlans reads the referral's action plan versions, oldest first.
func loadActionPlans(ctx context.Context, db *gorm.DB, referralID uuid.UUID) ([]ActionPlan, error) {
	var rows []actionPlanRow
	if err := db.WithContext(ctx).Where("referral_id = ?", referralID).Order("submitted_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read action plans: %w", err)
	}
	out := make([]ActionPlan, len(rows))
	for i, r := range rows {
		out[i] = ActionPlan{ID: r.ID, NumberOfSessions: r.NumberOfSessions, SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt.UTC(),
			ApprovedBy: r.ApprovedBy, ApprovedAt: utc(r.ApprovedAt)}
		if err := json.Unmarshal(r.Activities, &out[i].Activities); err != nil {
			return nil, fmt.Errorf("decode action plan %s: %w", r.ID, err)
		}
	}
	return out, nil
}

func insertActionPlan(ctx context.Context, tx *gorm.DB, referralID uuid.UUID, p ActionPlan) error {
	activities, err := json.Marshal(p.Activities)
	if err != nil {
		return fmt.Errorf("encode activities: %w", err)
	}
	row := actionPlanRow{ID: p.ID, ReferralID: referralID, Activities: activities, NumberOfSessions: p.NumberOfSessions,
		SubmittedBy: p.SubmittedBy, SubmittedAt: p.SubmittedAt, ApprovedBy: p.ApprovedBy, ApprovedAt: p.ApprovedAt}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store action plan: %w", err)
	}
	return nil
}

func approveActionPlan(ctx context.Context, tx *gorm.DB, planID uuid.UUID, by *uuid.UUID, at time.Time) error {
	err := tx.WithContext(ctx).Model(&actionPlanRow{}).Where("id = ?", planID).Updates(map[string]any{"approved_by": by, "approved_at": at}).Error
	if err != nil {
		return fmt.Errorf("approve action plan %s: %w", planID, err)
	}
	return nil
}

type reportRow struct {
	ReferralID         uuid.UUID
	Outcomes           []byte `gorm:"type:jsonb"`
	FurtherInformation *string
	SubmittedBy        uuid.UUID
	SubmittedAt        time.Time
}

func (reportRow) TableName() string { return "end_of_service_reports" }

// loadReport reads the referral's end-of-service report; false when there is none.
func loadReport(ctx context.Context, db *gorm.DB, referralID uuid.UUID) (EndOfServiceReport, bool, error) {
	var row reportRow
	err := db.WithContext(ctx).Where("referral_id = ?", referralID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return EndOfServiceReport{}, false, nil
	}
	if err != nil {
		return EndOfServiceReport{}, false, fmt.Errorf("read end-of-service report: %w", err)
	}
	r := EndOfServiceReport{FurtherInformation: opt.Value(row.FurtherInformation), SubmittedBy: row.SubmittedBy, SubmittedAt: row.SubmittedAt.UTC()}
	if err := json.Unmarshal(row.Outcomes, &r.Outcomes); err != nil {
		return EndOfServiceReport{}, false, fmt.Errorf("decode end-of-service report: %w", err)
	}
	return r, true, nil
}

func insertReport(ctx context.Context, tx *gorm.DB, referralID uuid.UUID, r EndOfServiceReport) error {
	outcomes, err := json.Marshal(r.Outcomes)
	if err != nil {
		return fmt.Errorf("encode outcomes: %w", err)
	}
	row := reportRow{ReferralID: referralID, Outcomes: outcomes, FurtherInformation: opt.String(r.FurtherInformation),
		SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store end-of-service report: %w", err)
	}
	return nil
}

type amendmentRow struct {
	ID         uuid.UUID
	ReferralID uuid.UUID
	Field      string
	OldValue   []byte `gorm:"type:jsonb"`
	NewValue   []byte `gorm:"type:jsonb"`
	Reason     string
	ChangedBy  uuid.UUID
	ChangedAt  time.Time
}

func (amendmentRow) TableName() string { return "referral_amendments" }

func insertAmendments(ctx context.Context, tx *gorm.DB, referralID uuid.UUID, as []Amendment) error {
	for _, a := range as {
		row := amendmentRow{ID: a.ID, ReferralID: referralID, Field: a.Field, OldValue: a.OldValue, NewValue: a.NewValue,
			Reason: a.Reason, ChangedBy: a.ChangedBy, ChangedAt: a.ChangedAt}
		if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
			return fmt.Errorf("store amendment: %w", err)
		}
	}
	return nil
}

// listAmendments reads the referral's amendments, oldest first.
func listAmendments(ctx context.Context, db *gorm.DB, referralID uuid.UUID) ([]Amendment, error) {
	var rows []amendmentRow
	if err := db.WithContext(ctx).Where("referral_id = ?", referralID).Order("changed_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read amendments: %w", err)
	}
	out := make([]Amendment, len(rows))
	for i, r := range rows {
		out[i] = Amendment{ID: r.ID, Field: r.Field, OldValue: r.OldValue, NewValue: r.NewValue, Reason: r.Reason,
			ChangedBy: r.ChangedBy, ChangedAt: r.ChangedAt.UTC()}
	}
	return out, nil
}

type caseNoteRow struct {
	ID         uuid.UUID
	ReferralID uuid.UUID
	AuthorID   uuid.UUID
	Subject    string
	Body       string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
}

func (caseNoteRow) TableName() string { return "case_notes" }

func insertCaseNote(ctx context.Context, tx *gorm.DB, referralID uuid.UUID, n CaseNote) error {
	row := caseNoteRow{ID: n.ID, ReferralID: referralID, AuthorID: n.AuthorID, Subject: n.Subject, Body: n.Body, CreatedAt: n.CreatedAt}
	if err := tx.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store case note: %w", err)
	}
	return nil
}

// listCaseNotes reads the referral's case notes, oldest first, with their authors' e-mail and role.
func listCaseNotes(ctx context.Context, db *gorm.DB, referralID uuid.UUID) ([]CaseNote, error) {
	var rows []struct {
		ID          uuid.UUID
		AuthorID    uuid.UUID
		Subject     string
		Body        string
		CreatedAt   time.Time
		AuthorEmail string
		AuthorRole  string
	}
	err := db.WithContext(ctx).Raw(`SELECT n.id, n.author_id, n.subject, n.body, n.created_at, u.email AS author_email, u.role AS author_role FROM case_notes n
		JOIN users u ON u.id = n.author_id WHERE n.referral_id = ? ORDER BY n.created_at, n.id`, referralID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read case notes: %w", err)
	}
	out := make([]CaseNote, len(rows))
	for i, r := range rows {
		out[i] = CaseNote{ID: r.ID, AuthorID: r.AuthorID, AuthorEmail: r.AuthorEmail, AuthorRole: r.AuthorRole, Subject: r.Subject,
			Body: r.Body, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}
