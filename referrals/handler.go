package referrals

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/apperr"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/httpserver"
)

// Handler serves the referral endpoints.
type Handler struct {
	svc *Service
}

// NewHandler returns the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// parser parses the strings a request carries (ids, dates, enums) into field errors.
type parser struct{ httpserver.Parser }

// patch converts the field with conv, which runs only on a value; null gives the zero value.
func patch[T, U any](o httpserver.Nullable[T], conv func(T) U) Patch[U] {
	if !o.Set {
		return Patch[U]{}
	}
	if o.Value == nil {
		var zero U
		return To(zero)
	}
	return To(conv(*o.Value))
}

func same[T any](v T) T { return v }

type createRequest struct {
	ContractID string `json:"contract_id" format:"uuid" doc:"The id of the contract (catalogue entry) to refer to: it must be live, accept referrals today and cover the practitioner's region." example:"01938c2e-7a3b-7cc0-9d1e-2f3a4b5c6d7e"`
	CRN        string `json:"crn" maxLength:"20" doc:"The person's case reference number (CRN): one letter and six digits. A CRN with a live referral on the same contract makes send ask for allow_duplicate." example:"X123456"`
}

type serviceRequest struct {
	ServiceCategoryCode string   `json:"service_category_code" maxLength:"50" doc:"A service category code of the contract's type (see GET /reference/service-categories), such as ACCOMMODATION." example:"ACCOMMODATION"`
	ComplexityLevel     *string  `json:"complexity_level,omitempty" enum:"LOW,MEDIUM,HIGH" doc:"How complex the person's needs are in this category; the supplier prices and plans by it. Required before the referral is sent."`
	DesiredOutcomeIDs   []string `json:"desired_outcome_ids,omitempty" maxItems:"20" format:"uuid" doc:"Ids of desired outcomes of this category (from the reference data); at least one before sending."`
}

type personPatch struct {
	FirstName         httpserver.Nullable[string]       `json:"first_name,omitempty" maxLength:"100" doc:"The person's first name; null clears it. Required before sending."`
	LastName          httpserver.Nullable[string]       `json:"last_name,omitempty" maxLength:"100" doc:"The person's last name; null clears it. Required before sending."`
	DateOfBirth       httpserver.Nullable[string]       `json:"date_of_birth,omitempty" format:"date" minDate:"1900-01-01" doc:"The person's date of birth (YYYY-MM-DD, from 1900-01-01); the contract's age limits are checked against it when the referral is sent."`
	Sex               httpserver.Nullable[string]       `json:"sex,omitempty" enum:"MALE,FEMALE" doc:"The person's sex, checked against the contract's eligibility when the referral is sent."`
	Ethnicity         httpserver.Nullable[string]       `json:"ethnicity,omitempty" maxLength:"100" doc:"The person's ethnicity as they describe it; optional, shown to the supplier."`
	PreferredLanguage httpserver.Nullable[string]       `json:"preferred_language,omitempty" maxLength:"100" doc:"The language the person prefers to be spoken to in, such as Welsh."`
	InterpreterNeeded httpserver.Nullable[bool]         `json:"interpreter_needed,omitempty" doc:"Whether the supplier must book an interpreter for sessions."`
	Disabilities      httpserver.Nullable[string]       `json:"disabilities,omitempty" maxLength:"4000" doc:"Disabilities the supplier should know about, in free text."`
	AccessNeeds       httpserver.Nullable[string]       `json:"access_needs,omitempty" maxLength:"4000" doc:"Adjustments the person needs to attend (step-free access, hearing loop, ...), in free text."`
	Commitments       httpserver.Nullable[[]Commitment] `json:"commitments,omitempty" maxItems:"20" doc:"Caring or work commitments the supplier must plan sessions around; the list replaces the previous one."`
}

// draftPatch is a partial update of a draft: absent fields are left as they are, null clears.
type draftPatch struct {
	CRN                 httpserver.Nullable[string]           `json:"crn,omitempty" maxLength:"20" doc:"The person's case reference number: one letter and six digits, such as X123456."`
	Person              *personPatch                          `json:"person,omitempty" doc:"Changes to the person's details; only the fields sent change."`
	Setting             httpserver.Nullable[string]           `json:"setting,omitempty" enum:"COMMUNITY,LICENCE,PRE_RELEASE" doc:"Where the person is: COMMUNITY (a community sentence with a RAR: needs max_enforceable_days), LICENCE, or PRE_RELEASE (needs prison and expected_release_date). The contract must accept the setting."`
	Prison              httpserver.Nullable[string]           `json:"prison,omitempty" maxLength:"200" doc:"The prison the person is held in; required for PRE_RELEASE and refused otherwise."`
	ExpectedReleaseDate httpserver.Nullable[string]           `json:"expected_release_date,omitempty" format:"date" doc:"The person's expected release date (YYYY-MM-DD); required for PRE_RELEASE and refused otherwise."`
	PCCAreaCode         httpserver.Nullable[string]           `json:"pcc_area_code,omitempty" maxLength:"50" doc:"The code of the PCC area the person lives in (see GET /reference/pcc-areas); it must lie in the contract's area."`
	ServiceCategories   httpserver.Nullable[[]serviceRequest] `json:"service_categories,omitempty" maxItems:"20" doc:"The service categories the person is referred for, each with its complexity and desired outcomes; the list replaces every previous choice."`
	MaxEnforceableDays  httpserver.Nullable[int]              `json:"max_enforceable_days,omitempty" maximum:"1000" code:"invalid_max_enforceable_days" doc:"The RAR days the supplier may use, a whole number of at least 1; required for COMMUNITY and refused otherwise."`
	CompletionDeadline  httpserver.Nullable[string]           `json:"completion_deadline,omitempty" format:"date" doc:"The date by which the intervention must end (YYYY-MM-DD): after today and not after the contract's effective end date."`
	ReasonForReferral   httpserver.Nullable[string]           `json:"reason_for_referral,omitempty" maxLength:"10000" doc:"Why the person is referred, for the supplier to read; required before sending."`
	RiskSummary         httpserver.Nullable[string]           `json:"risk_summary,omitempty" maxLength:"10000" doc:"The risks the supplier's staff must know about before meeting the person."`
	FurtherInformation  httpserver.Nullable[string]           `json:"further_information,omitempty" maxLength:"10000" doc:"Anything else the supplier should know."`
}

func (p *parser) services(reqs []serviceRequest, path string) []ServiceChoice {
	out := make([]ServiceChoice, len(reqs))
	for i, s := range reqs {
		at := fmt.Sprintf("%s[%d]", path, i)
		out[i] = ServiceChoice{CategoryCode: s.ServiceCategoryCode, OutcomeIDs: []uuid.UUID{}}
		if s.ComplexityLevel != nil {
			out[i].Complexity = httpserver.Enum(&p.Parser, at+".complexity_level", *s.ComplexityLevel, complexity)
		}
		for j, o := range s.DesiredOutcomeIDs {
			out[i].OutcomeIDs = append(out[i].OutcomeIDs, p.ID(fmt.Sprintf("%s.desired_outcome_ids[%d]", at, j), o))
		}
	}
	return out
}

func complexity(s string) (contracts.ComplexityLevel, error) {
	l := contracts.ComplexityLevel(s)
	if !l.Valid() {
		return "", apperr.Invalid("unknown complexity level", apperr.FieldError{Code: "invalid_complexity_level",
			Message: "The complexity level must be LOW, MEDIUM or HIGH."})
	}
	return l, nil
}

func (req draftPatch) changes() (DraftChanges, error) {
	var p parser
	ch := DraftChanges{
		CRN:                 patch(req.CRN, same[string]),
		Setting:             patch(req.Setting, func(s string) Setting { return httpserver.Enum(&p.Parser, "setting", s, ParseSetting) }),
		Prison:              patch(req.Prison, same[string]),
		ExpectedReleaseDate: patch(req.ExpectedReleaseDate, func(s string) calendar.Date { return p.Date("expected_release_date", s) }),
		PCCAreaCode:         patch(req.PCCAreaCode, same[string]),
		Services: patch(req.ServiceCategories, func(s []serviceRequest) []ServiceChoice {
			return p.services(s, "service_categories")
		}),
		MaxEnforceableDays: patch(req.MaxEnforceableDays, func(n int) int {
			if n < 1 {
				p.Add("max_enforceable_days", "invalid_max_enforceable_days", "The maximum number of enforceable days must be at least 1.")
			}
			return n
		}),
		CompletionDeadline: patch(req.CompletionDeadline, func(s string) calendar.Date { return p.Date("completion_deadline", s) }),
		ReasonForReferral:  patch(req.ReasonForReferral, same[string]),
		RiskSummary:        patch(req.RiskSummary, same[string]),
		FurtherInformation: patch(req.FurtherInformation, same[string]),
	}
	if ch.Services.Set && ch.Services.Value == nil {
		ch.Services.Value = []ServiceChoice{}
	}
	if pp := req.Person; pp != nil {
		ch.FirstName, ch.LastName = patch(pp.FirstName, same[string]), patch(pp.LastName, same[string])
		ch.DateOfBirth = patch(pp.DateOfBirth, func(s string) calendar.Date { return p.Date("person.date_of_birth", s) })
		ch.Sex = patch(pp.Sex, func(s string) contracts.Sex { return httpserver.Enum(&p.Parser, "person.sex", s, ParseSex) })
		ch.Ethnicity, ch.PreferredLanguage = patch(pp.Ethnicity, same[string]), patch(pp.PreferredLanguage, same[string])
		ch.InterpreterNeeded = patch(pp.InterpreterNeeded, func(b bool) *bool { return &b })
		ch.Disabilities, ch.AccessNeeds = patch(pp.Disabilities, same[string]), patch(pp.AccessNeeds, same[string])
		ch.Commitments = patch(pp.Commitments, same[[]Commitment])
	}
	return ch, p.Err()
}

type sendRequest struct {
	AllowDuplicate  bool   `json:"allow_duplicate,omitempty" doc:"Send although a live referral exists for the same CRN on the same contract (otherwise 409 duplicate_referral); needs duplicate_reason."`
	DuplicateReason string `json:"duplicate_reason,omitempty" maxLength:"2000" doc:"Why a second live referral is needed; required with allow_duplicate when there is a live referral."`
}

// bindOptional binds a JSON body when there is one, leaving dst as it is for an empty body.
func bindOptional(c echo.Context, dst any) error {
	req := c.Request()
	if req.ContentLength == 0 {
		return nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the request body is too large")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return httpserver.BindJSON(c, dst)
}

func (h *Handler) create(c echo.Context) error {
	var req createRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	var p parser
	id := p.ID("contract_id", req.ContractID)
	if err := p.Err(); err != nil {
		return err
	}
	d, err := h.svc.Create(httpserver.Ctx(c), httpserver.MustActor(c), CreateParams{ContractID: id, CRN: req.CRN})
	if err != nil {
		return err
	}
	httpserver.SetETag(c, d.Version)
	return httpserver.Created(c, httpserver.APIPrefix+"/referrals/"+d.ID.String(), responseOf(d))
}

func (h *Handler) get(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.Get(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	return detailJSON(c, http.StatusOK, d)
}

func detailJSON(c echo.Context, status int, d Detail) error {
	httpserver.SetETag(c, d.Version)
	return c.JSON(status, responseOf(d))
}

func (h *Handler) update(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	version := httpserver.ExpectedVersion(c)
	var req draftPatch
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	ch, err := req.changes()
	if err != nil {
		return err
	}
	d, err := h.svc.UpdateDraft(httpserver.Ctx(c), httpserver.MustActor(c), id, version, ch)
	if err != nil {
		return err
	}
	return detailJSON(c, http.StatusOK, d)
}

func (h *Handler) remove(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteDraft(httpserver.Ctx(c), httpserver.MustActor(c), id, httpserver.ExpectedVersion(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) send(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	var req sendRequest
	if err := bindOptional(c, &req); err != nil {
		return err
	}
	d, err := h.svc.Send(httpserver.Ctx(c), httpserver.MustActor(c), id, httpserver.ExpectedVersion(c), SendParams{AllowDuplicate: req.AllowDuplicate, DuplicateReason: req.DuplicateReason})
	if err != nil {
		return err
	}
	return detailJSON(c, http.StatusOK, d)
}

func (h *Handler) list(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	p := ListParams{Page: pp, ContractID: q.UUID("contract_id"), Region: q.String("region"), Q: q.String("q"),
		Concluded: q.Bool("concluded"), Overdue: q.Bool("overdue")}
	for _, s := range q.Strings("status") {
		st, err := ParseStatus(s)
		if err != nil {
			q.Fail("status", "invalid_status", fmt.Sprintf("Unknown status %q.", s))
		}
		p.Statuses = append(p.Statuses, st)
	}
	p.AssignedToMe = isTrue(q.Bool("assigned_to_me"))
	p.Unassigned = isTrue(q.Bool("unassigned"))
	for _, d := range []struct {
		name string
		dst  *calendar.Date
	}{{"sent_from", &p.SentFrom}, {"sent_to", &p.SentTo}} {
		if s := q.String(d.name); s != "" {
			v, err := httpserver.ParseDate(s)
			if err != nil {
				q.Fail(d.name, "invalid_date", d.name+" must be a date written YYYY-MM-DD")
			}
			*d.dst = v
		}
	}
	if p.Sort, err = ParseSort(q.String("sort")); err != nil {
		q.Fail("sort", "invalid_sort", "sort must be sent_at_desc, sent_at_asc or reference")
	}
	if err := q.Err(); err != nil {
		return err
	}
	res, err := h.svc.List(httpserver.Ctx(c), httpserver.MustActor(c), p)
	if err != nil {
		return err
	}
	out := referralPage{Items: make([]ReferralItem, len(res.Items)), NextCursor: res.NextCursor}
	for i, s := range res.Items {
		out.Items[i] = itemOf(s)
	}
	return c.JSON(http.StatusOK, out)
}

func isTrue(b *bool) bool { return b != nil && *b }

type historyEventJSON struct {
	At         time.Time `json:"at"`
	ActorEmail string    `json:"actor_email"`
	ActorRole  string    `json:"actor_role"`
	Action     string    `json:"action"`
	Summary    string    `json:"summary"`
}

type historyResponse struct {
	Items []historyEventJSON `json:"items"`
}

func (h *Handler) history(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	events, err := h.svc.History(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	out := historyResponse{Items: make([]historyEventJSON, len(events))}
	for i, e := range events {
		out.Items[i] = historyEventJSON(e)
	}
	return c.JSON(http.StatusOK, out)
}
