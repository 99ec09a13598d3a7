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
	CaseworkerID string `json:"caseworker_id" doc:"a user of the contract's prime or of a current subcontractor"`
}

type slotRequest struct {
	StartsAt        string `json:"starts_at" doc:"RFC 3339: after the referral was sent, at most 6 months ahead"`
	DurationMinutes int    `json:"duration_minutes" doc:"5 to 600"`
	Method          string `json:"method" doc:"PHONE, VIDEO or IN_PERSON"`
	Address         string `json:"address,omitempty" doc:"required in person"`
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
	SessionNumber int `json:"session_number" doc:"1 to the approved plan's number of sessions"`
	slotRequest
}

type rescheduleRequest struct {
	slotRequest
	RequestedBy string `json:"requested_by" doc:"SUPPLIER, PRACTITIONER or PERSON_ON_PROBATION"`
	Reason      string `json:"reason"`
}

type attendanceRequest struct {
	Attendance         string `json:"attendance" doc:"YES, LATE or NO; NO lets the supplier book again"`
	SessionSummary     string `json:"session_summary,omitempty"`
	PersonResponse     string `json:"person_response,omitempty"`
	Concerns           string `json:"concerns,omitempty"`
	NotifyPractitioner bool   `json:"notify_practitioner,omitempty"`
}

type actionPlanRequest struct {
	Activities       []Activity `json:"activities"`
	NumberOfSessions int        `json:"number_of_sessions"`
}

type ratingRequest struct {
	OutcomeID   string `json:"outcome_id"`
	Achievement string `json:"achievement" doc:"ACHIEVED, PARTIALLY_ACHIEVED or NOT_ACHIEVED"`
	Notes       string `json:"notes,omitempty"`
}

type reportRequest struct {
	Outcomes           []ratingRequest `json:"outcomes" doc:"every desired outcome of the referral, once"`
	FurtherInformation string          `json:"further_information,omitempty"`
}

type withdrawRequest struct {
	ReasonCode string `json:"reason_code" doc:"a withdrawal reason code from the reference data"`
	Comment    string `json:"comment,omitempty"`
}

type serviceAmendmentRequest struct {
	ServiceCategoryCode string   `json:"service_category_code"`
	ComplexityLevel     *string  `json:"complexity_level,omitempty"`
	DesiredOutcomeIDs   []string `json:"desired_outcome_ids,omitempty" doc:"replaces the category's outcomes"`
}

type amendRequest struct {
	Reason             string                    `json:"reason"`
	CompletionDeadline *string                   `json:"completion_deadline,omitempty" doc:"YYYY-MM-DD"`
	MaxEnforceableDays *int                      `json:"max_enforceable_days,omitempty"`
	ServiceCategories  []serviceAmendmentRequest `json:"service_categories,omitempty" doc:"until the action plan is approved"`
	PreferredLanguage  *string                   `json:"preferred_language,omitempty"`
	InterpreterNeeded  *bool                     `json:"interpreter_needed,omitempty"`
	Disabilities       *string                   `json:"disabilities,omitempty"`
	AccessNeeds        *string                   `json:"access_needs,omitempty"`
	Commitments        *[]Commitment             `json:"commitments,omitempty" doc:"replaces the list"`
}

type caseNoteRequest struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
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
