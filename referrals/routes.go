package referrals

import (
	"net/http"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/httpserver"
)

// Register adds the referral routes. Practitioners make, send, withdraw and amend their referrals and
// approve action plans; supplier users of the contract's supply chain work them; commissioners and
// admins read them. The service narrows each role to its scope (404 outside it).
func Register(r *httpserver.Router, h *Handler) {
	practitioner := []actor.Role{actor.RolePractitioner}
	supplier := []actor.Role{actor.RoleSupplier}
	writers := []actor.Role{actor.RolePractitioner, actor.RoleSupplier}
	readers := []actor.Role{actor.RolePractitioner, actor.RoleSupplier, actor.RoleCommissioner, actor.RoleAdmin}
	const tag = "referrals"
	add := func(rt httpserver.Route) {
		rt.Tag = tag
		r.Add(rt)
	}
	resp := ReferralResponse{}

	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals", Handler: h.create, Roles: practitioner, Idempotent: true,
		Summary: "Start a draft referral for a catalogue entry (contract) with the person's CRN", Request: createRequest{}, Response: resp,
		Status: http.StatusCreated})
	add(httpserver.Route{Method: http.MethodGet, Path: "/referrals", Handler: h.list, Roles: readers,
		Summary:  "List the referrals in your scope (practitioners: your region's sent referrals and your own drafts)",
		Response: referralPage{}, Query: httpserver.WithPaging(
			httpserver.Param{Name: "status", Type: "string", Description: "one or several statuses, comma-separated or repeated"},
			httpserver.Param{Name: "contract_id", Type: "string", Format: "uuid"},
			httpserver.Param{Name: "assigned_to_me", Type: "boolean", Description: "only referrals whose caseworker you are"},
			httpserver.Param{Name: "unassigned", Type: "boolean", Description: "only sent referrals with no caseworker yet"},
			httpserver.Param{Name: "concluded", Type: "boolean"},
			httpserver.Param{Name: "region", Type: "string", Description: "region code"},
			httpserver.Param{Name: "sent_from", Type: "string", Format: "date"},
			httpserver.Param{Name: "sent_to", Type: "string", Format: "date"},
			httpserver.Param{Name: "q", Type: "string", Description: "a reference (exact) or text in the person's name"},
			httpserver.Param{Name: "overdue", Type: "boolean", Description: "only referrals with (true) or without (false) an overdue deliverable"},
			httpserver.Param{Name: "sort", Type: "string", Enum: []string{string(SortSentDesc), string(SortSentAsc), string(SortReference)}})})
	add(httpserver.Route{Method: http.MethodGet, Path: "/referrals/:id", Handler: h.get, Roles: readers,
		Summary: "Read a referral with its appointments, action plans, end-of-service report and timeliness", Response: resp})
	add(httpserver.Route{Method: http.MethodPatch, Path: "/referrals/:id", Handler: h.update, Roles: practitioner, IfMatch: true,
		Summary: "Fill in your draft: absent fields stay, null clears", Request: draftPatch{}, Response: resp})
	add(httpserver.Route{Method: http.MethodDelete, Path: "/referrals/:id", Handler: h.remove, Roles: practitioner, IfMatch: true,
		Summary: "Delete your draft", Status: http.StatusNoContent})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/send", Handler: h.send, Roles: practitioner, IfMatch: true,
		Summary: "Send your draft: completeness, referral window, eligibility, cap and duplicate checks; a reference is issued",
		Request: sendRequest{}, Response: resp})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/withdraw", Handler: h.withdraw, Roles: practitioner, IfMatch: true,
		Summary: "Withdraw your referral with a reason", Request: withdrawRequest{}, Response: resp})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/amendments", Handler: h.amend, Roles: practitioner, IfMatch: true,
		Summary: "Amend your sent referral, with a reason; each changed field is logged", Request: amendRequest{}, Response: resp})
	add(httpserver.Route{Method: http.MethodGet, Path: "/referrals/:id/amendments", Handler: h.amendments, Roles: readers,
		Summary: "The referral's amendments, oldest first", Response: amendmentsResponse{}})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/action-plans/:plan_id/approve", Handler: h.approveActionPlan,
		Roles: practitioner, IfMatch: true, Summary: "Approve the latest action plan of your referral", Response: resp})

	add(httpserver.Route{Method: http.MethodGet, Path: "/referrals/:id/caseworkers", Handler: h.caseworkers,
		Roles: []actor.Role{actor.RoleSupplier, actor.RoleAdmin}, Response: caseworkersResponse{},
		Summary: "The users who may be made the caseworker: active users of the prime and current subcontractors"})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/caseworker", Handler: h.assign, Roles: supplier, IfMatch: true,
		Summary: "Assign or reassign the caseworker", Request: assignRequest{}, Response: resp})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/assessment", Handler: h.bookAssessment, Roles: supplier, IfMatch: true,
		Summary: "Book the initial assessment", Request: slotRequest{}, Response: resp})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/sessions", Handler: h.bookSession, Roles: supplier, IfMatch: true,
		Summary: "Book a delivery session of the approved action plan", Request: sessionRequest{}, Response: resp})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/appointments/:appointment_id/reschedule", Handler: h.reschedule,
		Roles: supplier, IfMatch: true, Summary: "Move an appointment, saying who asked and why", Request: rescheduleRequest{}, Response: resp})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/appointments/:appointment_id/attendance", Handler: h.recordAttendance,
		Roles: supplier, IfMatch: true, Summary: "Record attendance and feedback", Request: attendanceRequest{}, Response: resp})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/action-plans", Handler: h.submitActionPlan, Roles: supplier, IfMatch: true,
		Summary: "Submit the action plan, or a new version before approval", Request: actionPlanRequest{}, Response: resp})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/end-of-service-report", Handler: h.submitReport, Roles: supplier,
		IfMatch: true, Summary: "Submit the end-of-service report, concluding the referral", Request: reportRequest{}, Response: resp})

	add(httpserver.Route{Method: http.MethodGet, Path: "/referrals/:id/case-notes", Handler: h.caseNotes, Roles: readers,
		Summary: "The referral's case notes, oldest first", Response: caseNotesResponse{}})
	add(httpserver.Route{Method: http.MethodPost, Path: "/referrals/:id/case-notes", Handler: h.addCaseNote, Roles: writers, Idempotent: true,
		Summary: "Add a case note", Request: caseNoteRequest{}, Response: caseNoteJSON{}, Status: http.StatusCreated})
	add(httpserver.Route{Method: http.MethodGet, Path: "/referrals/:id/history", Handler: h.history, Roles: readers,
		Summary: "The referral's timeline from the audit trail", Response: historyResponse{}})
}
