package referrals

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/httpserver"
)

type assignRequest struct {
	CaseworkerID string `json:"caseworker_id" format:"uuid" doc:"The id of the supplier user who will work the referral: a user of the contract's prime or of a current subcontractor."`
}

type slotRequest struct {
	StartsAt        string `json:"starts_at" format:"date-time" maxLength:"40" doc:"When the session starts, as an RFC 3339 time such as 2026-03-10T14:00:00Z: after the referral was sent and at most 6 months ahead." example:"2026-03-10T14:00:00Z"`
	DurationMinutes int    `json:"duration_minutes" minimum:"5" maximum:"600" code:"invalid_duration" doc:"How long the session lasts, in minutes." example:"60"`
	Method          string `json:"method" enum:"PHONE,VIDEO,IN_PERSON" doc:"How the session is held; IN_PERSON needs an address." example:"IN_PERSON"`
	Address         string `json:"address,omitempty" maxLength:"500" doc:"Where an IN_PERSON session is held; required for IN_PERSON."`
}

func (p *parser) slot(s slotRequest) Slot {
	out := Slot{DurationMinutes: s.DurationMinutes, Address: s.Address, Method: httpserver.Enum(&p.Parser, "method", s.Method, ParseMethod)}
	t, err := time.Parse(time.RFC3339, s.StartsAt)
	if err != nil {
		p.Add("starts_at", "invalid_time", "starts_at must be an RFC 3339 time such as 2026-03-10T14:00:00Z")
	}
	out.StartsAt = t.UTC()
	return out
}

type sessionRequest struct {
	SessionNumber int `json:"session_number" minimum:"1" maximum:"1000" code:"session_number_out_of_range" doc:"Which session of the approved action plan this is: 1 to its number_of_sessions."`
	slotRequest
}

type rescheduleRequest struct {
	slotRequest
	RequestedBy string `json:"requested_by" enum:"SUPPLIER,PRACTITIONER,PERSON_ON_PROBATION" doc:"Who asked for the session to move."`
	Reason      string `json:"reason" maxLength:"2000" doc:"Why the session moves, for the record."`
}

type attendanceRequest struct {
	Attendance         string `json:"attendance" enum:"YES,LATE,NO" doc:"Whether the person attended: YES, LATE or NO; NO lets the supplier book the session again."`
	SessionSummary     string `json:"session_summary,omitempty" maxLength:"10000" doc:"What the session covered."`
	PersonResponse     string `json:"person_response,omitempty" maxLength:"10000" doc:"How the person responded to the session."`
	Concerns           string `json:"concerns,omitempty" maxLength:"10000" doc:"Concerns the practitioner should know about."`
	NotifyPractitioner bool   `json:"notify_practitioner,omitempty" doc:"Send the practitioner an email about this session's feedback."`
}

type actionPlanRequest struct {
	Activities       []Activity `json:"activities" minItems:"1" maxItems:"50" doc:"The activities the supplier plans, in order; at least one."`
	NumberOfSessions int        `json:"number_of_sessions" minimum:"1" maximum:"1000" code:"invalid_number_of_sessions" doc:"How many sessions the plan needs; sessions are booked against this number once the plan is approved."`
}

type ratingRequest struct {
	OutcomeID   string `json:"outcome_id" format:"uuid" doc:"A desired outcome of the referral."`
	Achievement string `json:"achievement" enum:"ACHIEVED,PARTIALLY_ACHIEVED,NOT_ACHIEVED" doc:"How far the outcome was achieved."`
	Notes       string `json:"notes,omitempty" maxLength:"10000" doc:"Why, in free text."`
}

type reportRequest struct {
	Outcomes           []ratingRequest `json:"outcomes" maxItems:"50" doc:"A rating for every desired outcome of the referral, each once."`
	FurtherInformation string          `json:"further_information,omitempty" maxLength:"10000" doc:"Anything else the practitioner should know at the end of the intervention."`
}

type withdrawRequest struct {
	ReasonCode string `json:"reason_code" maxLength:"50" doc:"A withdrawal reason code (see GET /reference/withdrawal-reasons); the reason decides whether the referral still counts towards volume."`
	Comment    string `json:"comment,omitempty" maxLength:"2000" doc:"More about the withdrawal, for the record."`
}

type serviceAmendmentRequest struct {
	ServiceCategoryCode string   `json:"service_category_code" maxLength:"50" doc:"A service category of the referral to change."`
	ComplexityLevel     *string  `json:"complexity_level,omitempty" enum:"LOW,MEDIUM,HIGH" doc:"The category's new complexity level."`
	DesiredOutcomeIDs   []string `json:"desired_outcome_ids,omitempty" maxItems:"20" format:"uuid" doc:"Desired outcome ids of the category; the list replaces the category's outcomes."`
}

type amendRequest struct {
	Reason             string                    `json:"reason" maxLength:"2000" doc:"Why the referral is amended; kept with each change."`
	CompletionDeadline *string                   `json:"completion_deadline,omitempty" format:"date" doc:"A new completion deadline (YYYY-MM-DD), not after the contract's effective end date."`
	MaxEnforceableDays *int                      `json:"max_enforceable_days,omitempty" maximum:"1000" code:"invalid_max_enforceable_days" doc:"New RAR days, at least 1 (COMMUNITY referrals only)."`
	ServiceCategories  []serviceAmendmentRequest `json:"service_categories,omitempty" maxItems:"20" doc:"Changes to service categories; allowed until the action plan is approved."`
	PreferredLanguage  *string                   `json:"preferred_language,omitempty" maxLength:"100" doc:"The person's preferred language."`
	InterpreterNeeded  *bool                     `json:"interpreter_needed,omitempty" doc:"Whether sessions need an interpreter."`
	Disabilities       *string                   `json:"disabilities,omitempty" maxLength:"4000" doc:"Disabilities the supplier should know about."`
	AccessNeeds        *string                   `json:"access_needs,omitempty" maxLength:"4000" doc:"Adjustments the person needs to attend."`
	Commitments        *[]Commitment             `json:"commitments,omitempty" maxItems:"20" doc:"Caring or work commitments; the list replaces the previous one."`
}

type caseNoteRequest struct {
	Subject string `json:"subject" maxLength:"200" doc:"A one-line subject for the note."`
	Body    string `json:"body" maxLength:"10000" doc:"The note, in free text; visible to the practitioner and the supplier."`
}

type caseNoteJSON struct {
	ID          uuid.UUID `json:"id"`
	AuthorID    uuid.UUID `json:"author_id"`
	AuthorEmail string    `json:"author_email"`
	AuthorRole  string    `json:"author_role"`
	Subject     string    `json:"subject"`
	Body        string    `json:"body"`
	CreatedAt   time.Time `json:"created_at"`
}

type caseNotesResponse struct {
	Items []caseNoteJSON `json:"items"`
}

type amendmentJSON struct {
	ID        uuid.UUID       `json:"id"`
	Field     string          `json:"field"`
	OldValue  json.RawMessage `json:"old_value"`
	NewValue  json.RawMessage `json:"new_value"`
	Reason    string          `json:"reason"`
	ChangedBy uuid.UUID       `json:"changed_by"`
	ChangedAt time.Time       `json:"changed_at"`
}

type amendmentsResponse struct {
	Items []amendmentJSON `json:"items"`
}

// action binds the request body into req, runs do with the referral's id and the version the client
// read (If-Match) and answers the referral.
func action[R any](c echo.Context, req *R, do func(id uuid.UUID, version int) (Detail, error)) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	if req != nil {
		if err := httpserver.BindJSON(c, req); err != nil {
			return err
		}
	}
	d, err := do(id, httpserver.ExpectedVersion(c))
	if err != nil {
		return err
	}
	return detailJSON(c, http.StatusOK, d)
}

func (h *Handler) assign(c echo.Context) error {
	var req assignRequest
	return action(c, &req, func(id uuid.UUID, version int) (Detail, error) {
		var p parser
		caseworker := p.ID("caseworker_id", req.CaseworkerID)
		if err := p.Err(); err != nil {
			return Detail{}, err
		}
		return h.svc.Assign(httpserver.Ctx(c), httpserver.MustActor(c), id, version, caseworker)
	})
}

func (h *Handler) bookAssessment(c echo.Context) error {
	var req slotRequest
	return action(c, &req, func(id uuid.UUID, version int) (Detail, error) {
		var p parser
		slot := p.slot(req)
		if err := p.Err(); err != nil {
			return Detail{}, err
		}
		return h.svc.BookAssessment(httpserver.Ctx(c), httpserver.MustActor(c), id, version, slot)
	})
}

func (h *Handler) bookSession(c echo.Context) error {
	var req sessionRequest
	return action(c, &req, func(id uuid.UUID, version int) (Detail, error) {
		var p parser
		slot := p.slot(req.slotRequest)
		if err := p.Err(); err != nil {
			return Detail{}, err
		}
		return h.svc.BookSession(httpserver.Ctx(c), httpserver.MustActor(c), id, version, req.SessionNumber, slot)
	})
}

func (h *Handler) reschedule(c echo.Context) error {
	appointmentID, err := httpserver.PathID(c, "appointment_id")
	if err != nil {
		return err
	}
	var req rescheduleRequest
	return action(c, &req, func(id uuid.UUID, version int) (Detail, error) {
		var p parser
		params := RescheduleParams{Slot: p.slot(req.slotRequest), RequestedBy: httpserver.Enum(&p.Parser, "requested_by", req.RequestedBy, ParseRequestedBy), Reason: req.Reason}
		if err := p.Err(); err != nil {
			return Detail{}, err
		}
		return h.svc.Reschedule(httpserver.Ctx(c), httpserver.MustActor(c), id, appointmentID, version, params)
	})
}

func (h *Handler) recordAttendance(c echo.Context) error {
	appointmentID, err := httpserver.PathID(c, "appointment_id")
	if err != nil {
		return err
	}
	var req attendanceRequest
	return action(c, &req, func(id uuid.UUID, version int) (Detail, error) {
		var p parser
		fb := Feedback{Attendance: httpserver.Enum(&p.Parser, "attendance", req.Attendance, ParseAttendance), SessionSummary: req.SessionSummary,
			PersonResponse: req.PersonResponse, Concerns: req.Concerns, NotifyPractitioner: req.NotifyPractitioner}
		if err := p.Err(); err != nil {
			return Detail{}, err
		}
		return h.svc.RecordAttendance(httpserver.Ctx(c), httpserver.MustActor(c), id, appointmentID, version, fb)
	})
}

func (h *Handler) submitActionPlan(c echo.Context) error {
	var req actionPlanRequest
	return action(c, &req, func(id uuid.UUID, version int) (Detail, error) {
		return h.svc.SubmitActionPlan(httpserver.Ctx(c), httpserver.MustActor(c), id, version,
			ActionPlanParams{Activities: req.Activities, NumberOfSessions: req.NumberOfSessions})
	})
}

func (h *Handler) approveActionPlan(c echo.Context) error {
	planID, err := httpserver.PathID(c, "plan_id")
	if err != nil {
		return err
	}
	return action[struct{}](c, nil, func(id uuid.UUID, version int) (Detail, error) {
		return h.svc.ApproveActionPlan(httpserver.Ctx(c), httpserver.MustActor(c), id, planID, version)
	})
}

func (h *Handler) submitReport(c echo.Context) error {
	var req reportRequest
	return action(c, &req, func(id uuid.UUID, version int) (Detail, error) {
		var p parser
		params := ReportParams{FurtherInformation: req.FurtherInformation, Outcomes: make([]OutcomeRating, len(req.Outcomes))}
		for i, o := range req.Outcomes {
			path := fmt.Sprintf("outcomes[%d]", i)
			params.Outcomes[i] = OutcomeRating{OutcomeID: p.ID(path+".outcome_id", o.OutcomeID), Achievement: Achievement(o.Achievement), Notes: o.Notes}
		}
		if err := p.Err(); err != nil {
			return Detail{}, err
		}
		return h.svc.SubmitEndOfServiceReport(httpserver.Ctx(c), httpserver.MustActor(c), id, version, params)
	})
}

func (h *Handler) withdraw(c echo.Context) error {
	var req withdrawRequest
	return action(c, &req, func(id uuid.UUID, version int) (Detail, error) {
		return h.svc.Withdraw(httpserver.Ctx(c), httpserver.MustActor(c), id, version, WithdrawParams{ReasonCode: req.ReasonCode, Comment: req.Comment})
	})
}

func (h *Handler) amend(c echo.Context) error {
	var req amendRequest
	return action(c, &req, func(id uuid.UUID, version int) (Detail, error) {
		var p parser
		params := AmendParams{Reason: req.Reason, MaxEnforceableDays: req.MaxEnforceableDays, PreferredLanguage: req.PreferredLanguage,
			InterpreterNeeded: req.InterpreterNeeded, Disabilities: req.Disabilities, AccessNeeds: req.AccessNeeds, Commitments: req.Commitments}
		if req.CompletionDeadline != nil {
			d := p.Date("completion_deadline", *req.CompletionDeadline)
			params.CompletionDeadline = &d
		}
		for i, s := range req.ServiceCategories {
			path := fmt.Sprintf("service_categories[%d]", i)
			sa := ServiceAmendment{CategoryCode: s.ServiceCategoryCode}
			if s.ComplexityLevel != nil {
				l := httpserver.Enum(&p.Parser, path+".complexity_level", *s.ComplexityLevel, complexity)
				sa.Complexity = &l
			}
			if s.DesiredOutcomeIDs != nil {
				sa.OutcomeIDs = []uuid.UUID{}
				for j, o := range s.DesiredOutcomeIDs {
					sa.OutcomeIDs = append(sa.OutcomeIDs, p.ID(fmt.Sprintf("%s.desired_outcome_ids[%d]", path, j), o))
				}
			}
			params.Services = append(params.Services, sa)
		}
		if err := p.Err(); err != nil {
			return Detail{}, err
		}
		return h.svc.Amend(httpserver.Ctx(c), httpserver.MustActor(c), id, version, params)
	})
}

func (h *Handler) amendments(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	as, err := h.svc.Amendments(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	out := amendmentsResponse{Items: make([]amendmentJSON, len(as))}
	for i, a := range as {
		out.Items[i] = amendmentJSON(a)
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) caseNotes(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	notes, err := h.svc.CaseNotes(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	out := caseNotesResponse{Items: make([]caseNoteJSON, len(notes))}
	for i, n := range notes {
		out.Items[i] = caseNoteJSON(n)
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) addCaseNote(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	var req caseNoteRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	n, err := h.svc.AddCaseNote(httpserver.Ctx(c), httpserver.MustActor(c), id, CaseNoteParams{Subject: req.Subject, Body: req.Body})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, caseNoteJSON(n))
}

// CaseworkerResponse is a user who may be made the referral's caseworker.
type CaseworkerResponse struct {
	ID          uuid.UUID `json:"id"`
	DisplayName string    `json:"display_name"`
	Email       string    `json:"email"`
	SupplierID  uuid.UUID `json:"supplier_id" doc:"the user's organisation: the prime or a current subcontractor"`
}

type caseworkersResponse struct {
	Items []CaseworkerResponse `json:"items"`
}

func (h *Handler) caseworkers(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	users, err := h.svc.Caseworkers(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	out := caseworkersResponse{Items: make([]CaseworkerResponse, len(users))}
	for i, u := range users {
		out.Items[i] = CaseworkerResponse(u)
	}
	return c.JSON(http.StatusOK, out)
}
