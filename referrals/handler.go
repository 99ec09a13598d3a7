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
	ContractID string `json:"contract_id" doc:"the catalogue entry (contract) to refer to"`
	CRN        string `json:"crn" doc:"the person's case reference number: one letter and six digits, such as X123456"`
}

type serviceRequest struct {
	ServiceCategoryCode string   `json:"service_category_code" doc:"a category of the contract's type"`
	ComplexityLevel     *string  `json:"complexity_level,omitempty" doc:"LOW, MEDIUM or HIGH"`
	DesiredOutcomeIDs   []string `json:"desired_outcome_ids,omitempty" doc:"desired outcomes of the category"`
}

type personPatch struct {
	FirstName         httpserver.Nullable[string]       `json:"first_name,omitempty"`
	LastName          httpserver.Nullable[string]       `json:"last_name,omitempty"`
	DateOfBirth       httpserver.Nullable[string]       `json:"date_of_birth,omitempty" doc:"YYYY-MM-DD"`
	Sex               httpserver.Nullable[string]       `json:"sex,omitempty" doc:"MALE or FEMALE"`
	Ethnicity         httpserver.Nullable[string]       `json:"ethnicity,omitempty"`
	PreferredLanguage httpserver.Nullable[string]       `json:"preferred_language,omitempty"`
	InterpreterNeeded httpserver.Nullable[bool]         `json:"interpreter_needed,omitempty"`
	Disabilities      httpserver.Nullable[string]       `json:"disabilities,omitempty"`
	AccessNeeds       httpserver.Nullable[string]       `json:"access_needs,omitempty"`
	Commitments       httpserver.Nullable[[]Commitment] `json:"commitments,omitempty" doc:"caring or work commitments: [{description, times_unavailable}]"`
}

// draftPatch is a partial update of a draft: absent fields are left as they are, null clears.
type draftPatch struct {
	CRN                 httpserver.Nullable[string]           `json:"crn,omitempty"`
	Person              *personPatch                          `json:"person,omitempty"`
	Setting             httpserver.Nullable[string]           `json:"setting,omitempty" doc:"COMMUNITY (with RAR), LICENCE or PRE_RELEASE"`
	Prison              httpserver.Nullable[string]           `json:"prison,omitempty" doc:"PRE_RELEASE only"`
	ExpectedReleaseDate httpserver.Nullable[string]           `json:"expected_release_date,omitempty" doc:"PRE_RELEASE only; YYYY-MM-DD"`
	PCCAreaCode         httpserver.Nullable[string]           `json:"pcc_area_code,omitempty" doc:"the person's PCC area"`
	ServiceCategories   httpserver.Nullable[[]serviceRequest] `json:"service_categories,omitempty" doc:"replaces every choice"`
	MaxEnforceableDays  httpserver.Nullable[int]              `json:"max_enforceable_days,omitempty" doc:"a whole number of at least 1"`
	CompletionDeadline  httpserver.Nullable[string]           `json:"completion_deadline,omitempty" doc:"YYYY-MM-DD, after today and not after the contract ends"`
	ReasonForReferral   httpserver.Nullable[string]           `json:"reason_for_referral,omitempty"`
	RiskSummary         httpserver.Nullable[string]           `json:"risk_summary,omitempty"`
	FurtherInformation  httpserver.Nullable[string]           `json:"further_information,omitempty"`
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
	AllowDuplicate  bool   `json:"allow_duplicate,omitempty" doc:"send although a live referral exists for the same person and contract"`
	DuplicateReason string `json:"duplicate_reason,omitempty" doc:"required with allow_duplicate when there is a live referral"`
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
			v, err := calendar.ParseDate(s)
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
