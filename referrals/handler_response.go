package referrals

import (
	"time"

	"github.com/google/uuid"

	"github.com/crsplatform/crs/internal/calendar"
)

func optionalText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optionalDate(d calendar.Date) *calendar.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

func optionalEnum[T ~string](v T) *T {
	if v == "" {
		return nil
	}
	return &v
}

type contractRefJSON struct {
	ID               uuid.UUID `json:"id"`
	Reference        string    `json:"reference"`
	ContractTypeCode string    `json:"contract_type_code,omitempty"`
}

type personJSON struct {
	FirstName         *string        `json:"first_name"`
	LastName          *string        `json:"last_name"`
	DateOfBirth       *calendar.Date `json:"date_of_birth"`
	Sex               *string        `json:"sex"`
	Ethnicity         *string        `json:"ethnicity"`
	PreferredLanguage *string        `json:"preferred_language"`
	InterpreterNeeded *bool          `json:"interpreter_needed"`
	Disabilities      *string        `json:"disabilities"`
	AccessNeeds       *string        `json:"access_needs"`
	Commitments       []Commitment   `json:"commitments"`
}

type serviceJSON struct {
	ServiceCategoryCode string      `json:"service_category_code"`
	ComplexityLevel     *string     `json:"complexity_level"`
	DesiredOutcomeIDs   []uuid.UUID `json:"desired_outcome_ids"`
}

type deadlineJSON struct {
	Deliverable Deliverable     `json:"deliverable" doc:"assessment, action_plan or end_of_service_report"`
	DueOn       *calendar.Date  `json:"due_on"`
	DoneOn      *calendar.Date  `json:"done_on"`
	State       TimelinessState `json:"state" doc:"on_time, late, overdue, pending or not_applicable"`
}

type timelinessJSON struct {
	Overdue      bool           `json:"overdue"`
	OverdueItems []Deliverable  `json:"overdue_items"`
	Items        []deadlineJSON `json:"items"`
}

func timelinessOf(ds []Deadline) timelinessJSON {
	out := timelinessJSON{OverdueItems: OverdueItems(ds), Items: make([]deadlineJSON, len(ds))}
	out.Overdue = len(out.OverdueItems) > 0
	for i, d := range ds {
		out.Items[i] = deadlineJSON{Deliverable: d.Deliverable, DueOn: optionalDate(d.DueOn), DoneOn: optionalDate(d.DoneOn), State: d.State}
	}
	return out
}

type withdrawalJSON struct {
	ReasonCode  string    `json:"reason_code"`
	Comment     *string   `json:"comment"`
	WithdrawnAt time.Time `json:"withdrawn_at"`
}

type slotJSON struct {
	StartsAt        time.Time `json:"starts_at"`
	DurationMinutes int       `json:"duration_minutes"`
	Method          Method    `json:"method"`
	Address         *string   `json:"address"`
}

func slotOf(s Slot) slotJSON {
	return slotJSON{StartsAt: s.StartsAt, DurationMinutes: s.DurationMinutes, Method: s.Method, Address: optionalText(s.Address)}
}

type appointmentChangeJSON struct {
	ID          uuid.UUID   `json:"id"`
	Previous    slotJSON    `json:"previous"`
	New         slotJSON    `json:"new"`
	RequestedBy RequestedBy `json:"requested_by"`
	Reason      string      `json:"reason"`
	ChangedBy   uuid.UUID   `json:"changed_by"`
	ChangedAt   time.Time   `json:"changed_at"`
}

type feedbackJSON struct {
	Attendance         Attendance `json:"attendance"`
	SessionSummary     *string    `json:"session_summary"`
	PersonResponse     *string    `json:"person_response"`
	Concerns           *string    `json:"concerns"`
	NotifyPractitioner bool       `json:"notify_practitioner"`
	RecordedBy         *uuid.UUID `json:"recorded_by"`
	RecordedAt         *time.Time `json:"recorded_at"`
}

type appointmentJSON struct {
	ID            uuid.UUID       `json:"id"`
	Kind          AppointmentKind `json:"kind" doc:"ASSESSMENT or SESSION"`
	SessionNumber *int            `json:"session_number"`
	slotJSON
	Feedback  *feedbackJSON           `json:"feedback" doc:"null until attendance is recorded"`
	CreatedBy uuid.UUID               `json:"created_by"`
	CreatedAt time.Time               `json:"created_at"`
	Changes   []appointmentChangeJSON `json:"changes" doc:"every reschedule, oldest first"`
}

func appointmentOf(a Appointment) appointmentJSON {
	out := appointmentJSON{ID: a.ID, Kind: a.Kind, slotJSON: slotOf(a.Slot), CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt,
		Changes: make([]appointmentChangeJSON, len(a.Changes))}
	if a.SessionNumber > 0 {
		n := a.SessionNumber
		out.SessionNumber = &n
	}
	if f := a.Feedback; f != nil {
		out.Feedback = &feedbackJSON{Attendance: f.Attendance, SessionSummary: optionalText(f.SessionSummary), PersonResponse: optionalText(f.PersonResponse),
			Concerns: optionalText(f.Concerns), NotifyPractitioner: f.NotifyPractitioner, RecordedBy: a.RecordedBy, RecordedAt: a.RecordedAt}
	}
	for i, c := range a.Changes {
		out.Changes[i] = appointmentChangeJSON{ID: c.ID, Previous: slotOf(c.Previous), New: slotOf(c.New), RequestedBy: c.RequestedBy,
			Reason: c.Reason, ChangedBy: c.ChangedBy, ChangedAt: c.ChangedAt}
	}
	return out
}

type actionPlanJSON struct {
	ID               uuid.UUID  `json:"id"`
	Activities       []Activity `json:"activities"`
	NumberOfSessions int        `json:"number_of_sessions"`
	SubmittedBy      uuid.UUID  `json:"submitted_by"`
	SubmittedAt      time.Time  `json:"submitted_at"`
	ApprovedBy       *uuid.UUID `json:"approved_by" doc:"null when approved automatically"`
	ApprovedAt       *time.Time `json:"approved_at"`
}

type reportJSON struct {
	Outcomes           []OutcomeRating `json:"outcomes"`
	FurtherInformation *string         `json:"further_information"`
	SubmittedBy        uuid.UUID       `json:"submitted_by"`
	SubmittedAt        time.Time       `json:"submitted_at"`
}

// ReferralResponse is a referral as the API shows it, with its workflow records and timeliness.
type ReferralResponse struct {
	ID                  uuid.UUID         `json:"id"`
	Reference           *string           `json:"reference" doc:"null for a draft"`
	Contract            contractRefJSON   `json:"contract"`
	RegionCode          string            `json:"region_code"`
	PractitionerID      uuid.UUID         `json:"practitioner_id"`
	Status              Status            `json:"status"`
	EndState            *EndState         `json:"end_state" doc:"CANCELLED, PREMATURELY_ENDED or COMPLETED once concluded"`
	CRN                 string            `json:"crn"`
	Person              personJSON        `json:"person"`
	PCCAreaCode         *string           `json:"pcc_area_code"`
	Setting             *Setting          `json:"setting"`
	Prison              *string           `json:"prison"`
	ExpectedReleaseDate *calendar.Date    `json:"expected_release_date"`
	ServiceCategories   []serviceJSON     `json:"service_categories"`
	MaxEnforceableDays  *int              `json:"max_enforceable_days"`
	CompletionDeadline  *calendar.Date    `json:"completion_deadline"`
	ReasonForReferral   *string           `json:"reason_for_referral"`
	RiskSummary         *string           `json:"risk_summary"`
	FurtherInformation  *string           `json:"further_information"`
	DuplicateReason     *string           `json:"duplicate_reason"`
	Counted             bool              `json:"counted" doc:"whether the referral counts towards the contract's volume"`
	SentAt              *time.Time        `json:"sent_at"`
	SentOn              *calendar.Date    `json:"sent_on" doc:"the London date of sent_at"`
	CaseworkerID        *uuid.UUID        `json:"caseworker_id"`
	AssignedAt          *time.Time        `json:"assigned_at"`
	Withdrawal          *withdrawalJSON   `json:"withdrawal"`
	EndedOn             *calendar.Date    `json:"ended_on"`
	ConcludedAt         *time.Time        `json:"concluded_at"`
	Timeliness          timelinessJSON    `json:"timeliness"`
	Appointments        []appointmentJSON `json:"appointments"`
	ActionPlans         []actionPlanJSON  `json:"action_plans" doc:"every version, oldest first"`
	EndOfServiceReport  *reportJSON       `json:"end_of_service_report"`
	Version             int               `json:"version"`
	CreatedAt           time.Time         `json:"created_at"`
	UpdatedAt           time.Time         `json:"updated_at"`
}

func responseOf(d Detail) ReferralResponse {
	r := d.Referral
	p := r.Person
	out := ReferralResponse{
		ID: r.ID, Reference: optionalText(r.Reference), RegionCode: r.RegionCode, PractitionerID: r.PractitionerID, Status: r.Status,
		Contract: contractRefJSON{ID: d.Contract.ID, Reference: d.Contract.Reference, ContractTypeCode: d.Contract.ContractTypeCode},
		EndState: optionalEnum(r.EndState), CRN: r.CRN,
		Person: personJSON{FirstName: optionalText(p.FirstName), LastName: optionalText(p.LastName), DateOfBirth: optionalDate(p.DateOfBirth),
			Sex: optionalText(string(p.Sex)), Ethnicity: optionalText(p.Ethnicity), PreferredLanguage: optionalText(p.PreferredLanguage),
			InterpreterNeeded: p.InterpreterNeeded, Disabilities: optionalText(p.Disabilities), AccessNeeds: optionalText(p.AccessNeeds),
			Commitments: p.Commitments},
		PCCAreaCode: optionalText(r.PCCAreaCode), Setting: optionalEnum(r.Setting), Prison: optionalText(r.Prison),
		ExpectedReleaseDate: optionalDate(r.ExpectedReleaseDate), ServiceCategories: make([]serviceJSON, len(r.Services)),
		CompletionDeadline: optionalDate(r.CompletionDeadline), ReasonForReferral: optionalText(r.ReasonForReferral),
		RiskSummary: optionalText(r.RiskSummary), FurtherInformation: optionalText(r.FurtherInformation),
		DuplicateReason: optionalText(r.DuplicateReason), Counted: r.Counted, SentAt: r.SentAt, SentOn: optionalDate(r.SentOn),
		CaseworkerID: r.CaseworkerID, AssignedAt: r.AssignedAt, EndedOn: optionalDate(r.EndedOn), ConcludedAt: r.ConcludedAt,
		Timeliness: timelinessOf(d.Timeliness), Appointments: make([]appointmentJSON, len(d.Appointments)),
		ActionPlans: make([]actionPlanJSON, len(d.ActionPlans)), Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if out.Person.Commitments == nil {
		out.Person.Commitments = []Commitment{}
	}
	if r.MaxEnforceableDays > 0 {
		n := r.MaxEnforceableDays
		out.MaxEnforceableDays = &n
	}
	for i, s := range r.Services {
		out.ServiceCategories[i] = serviceJSON{ServiceCategoryCode: s.CategoryCode, ComplexityLevel: optionalText(string(s.Complexity)), DesiredOutcomeIDs: s.OutcomeIDs}
	}
	if w := r.Withdrawal; w != nil {
		out.Withdrawal = &withdrawalJSON{ReasonCode: w.ReasonCode, Comment: optionalText(w.Comment), WithdrawnAt: w.At}
	}
	for i, a := range d.Appointments {
		out.Appointments[i] = appointmentOf(a)
	}
	for i, p := range d.ActionPlans {
		out.ActionPlans[i] = actionPlanJSON{ID: p.ID, Activities: p.Activities, NumberOfSessions: p.NumberOfSessions, SubmittedBy: p.SubmittedBy,
			SubmittedAt: p.SubmittedAt, ApprovedBy: p.ApprovedBy, ApprovedAt: p.ApprovedAt}
	}
	if rep := d.Report; rep != nil {
		out.EndOfServiceReport = &reportJSON{Outcomes: rep.Outcomes, FurtherInformation: optionalText(rep.FurtherInformation),
			SubmittedBy: rep.SubmittedBy, SubmittedAt: rep.SubmittedAt}
	}
	return out
}

// ReferralItem is a referral as the list shows it.
type ReferralItem struct {
	ID              uuid.UUID       `json:"id"`
	Reference       *string         `json:"reference"`
	Contract        contractRefJSON `json:"contract"`
	RegionCode      string          `json:"region_code"`
	PractitionerID  uuid.UUID       `json:"practitioner_id"`
	Status          Status          `json:"status"`
	EndState        *EndState       `json:"end_state"`
	CRN             string          `json:"crn"`
	PersonFirstName *string         `json:"person_first_name"`
	PersonLastName  *string         `json:"person_last_name"`
	Counted         bool            `json:"counted"`
	SentAt          *time.Time      `json:"sent_at"`
	SentOn          *calendar.Date  `json:"sent_on"`
	CaseworkerID    *uuid.UUID      `json:"caseworker_id"`
	Timeliness      timelinessJSON  `json:"timeliness"`
	Version         int             `json:"version"`
	UpdatedAt       time.Time       `json:"updated_at"`
}

type referralPage struct {
	Items      []ReferralItem `json:"items"`
	NextCursor *string        `json:"next_cursor"`
}

func itemOf(s Summary) ReferralItem {
	r := s.Referral
	return ReferralItem{ID: r.ID, Reference: optionalText(r.Reference), Contract: contractRefJSON{ID: r.ContractID, Reference: s.ContractReference},
		RegionCode: r.RegionCode, PractitionerID: r.PractitionerID, Status: r.Status, EndState: optionalEnum(r.EndState), CRN: r.CRN,
		PersonFirstName: optionalText(r.Person.FirstName), PersonLastName: optionalText(r.Person.LastName), Counted: r.Counted,
		SentAt: r.SentAt, SentOn: optionalDate(r.SentOn), CaseworkerID: r.CaseworkerID, Timeliness: timelinessOf(s.Timeliness),
		Version: r.Version, UpdatedAt: r.UpdatedAt}
}
