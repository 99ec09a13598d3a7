package payments

import (
	"net/http"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/httpserver"
)

// registerPaymentRoutes adds the entitlement, payment request and settlement routes. Every route lets
// the three commercial roles through (practitioners get 403) so that the service decides: a record
// outside the caller's scope answers 404 whatever the action, and only then does a role that may see
// it but not take the action get 403.
func registerPaymentRoutes(r *httpserver.Router, h *Handler) {
	commercial := []actor.Role{actor.RoleAdmin, actor.RoleCommissioner, actor.RoleSupplier}
	const tag = "payments"
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/contracts/:id/entitlements", Handler: h.entitlements, Roles: commercial, Tag: tag,
		Summary:  "A contract year's monthly entitlements (current year by default), exact and rounded, with what was requested, approved and paid",
		Response: ScheduleResponse{}, Query: []httpserver.Param{{Name: "year", Type: "integer", Description: "contract year number"}}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/contracts/:id/years/:n/settlement", Handler: h.settlement, Roles: commercial, Tag: tag,
		Summary:  "An ended contract year's settlement (a read: it records nothing): binding band, price, entitlements paid, balance, balancing request and recovery (409 year_not_ended before)",
		Response: SettlementResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/contracts/:id/years/:n/settlement", Handler: h.recordSettlement, Roles: commercial, Tag: tag,
		Summary:  "Record an ended contract year's settlement now: the recovery of a negative balance, once (commissioners of the region, admins); the settlement job does the same every six hours",
		Response: SettlementResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/payment-requests", Handler: h.submitRequest, Roles: commercial, Tag: tag, Idempotent: true,
		Status: http.StatusCreated, Summary: "Submit a monthly (default) or year-end balancing payment request (users of the contract's prime)",
		Request: submitRequest{}, Response: RequestDetailResponse{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/payment-requests", Handler: h.listRequests, Roles: commercial, Tag: tag,
		Summary: "Payment requests in your scope, newest first", Response: requestPage{},
		Query: httpserver.WithPaging(
			httpserver.Param{Name: "status", Type: "string", Description: "one or more statuses, comma-separated"},
			httpserver.Param{Name: "contract_id", Type: "string", Format: "uuid"},
			httpserver.Param{Name: "period", Type: "string", Description: "calendar month, YYYY-MM"},
			httpserver.Param{Name: "kind", Type: "string", Enum: []string{string(KindMonthly), string(KindBalancing)}},
			httpserver.Param{Name: "overdue", Type: "boolean", Description: "only requests overdue today (unpaid after the payment terms, or a query unanswered)"})})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/payment-requests/:id", Handler: h.getRequest, Roles: commercial, Tag: tag,
		Summary: "A payment request with its query thread and history", Response: RequestDetailResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/payment-requests/:id/approve", Handler: h.approveRequest, Roles: commercial, Tag: tag, IfMatch: true,
		Summary: "Approve a payment request (commissioners of the region, admins)", Response: RequestDetailResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/payment-requests/:id/reject", Handler: h.rejectRequest, Roles: commercial, Tag: tag, IfMatch: true,
		Summary: "Reject a payment request with a reason (commissioners of the region, admins)", Request: reasonRequest{}, Response: RequestDetailResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/payment-requests/:id/queries", Handler: h.queryRequest, Roles: commercial, Tag: tag, IfMatch: true,
		Summary: "Raise a query on a payment request (commissioners of the region, admins)", Request: messageRequest{}, Response: RequestDetailResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/payment-requests/:id/responses", Handler: h.respondToQuery, Roles: commercial, Tag: tag, IfMatch: true,
		Summary: "Answer the query on a payment request (users of the contract's prime)", Request: messageRequest{}, Response: RequestDetailResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/payment-requests/:id/withdraw", Handler: h.withdrawRequest, Roles: commercial, Tag: tag, IfMatch: true,
		Summary: "Withdraw a payment request before a decision (users of the contract's prime)", Request: reasonRequest{}, Response: RequestDetailResponse{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/payment-requests/:id/pay", Handler: h.payRequest, Roles: commercial, Tag: tag, IfMatch: true,
		Summary: "Record the payment of an approved request (admins)", Request: payRequest{}, Response: RequestDetailResponse{}})
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/recoveries", Handler: h.recoveries, Roles: commercial, Tag: tag,
		Summary: "Recoveries of negative year-end balances in your scope, newest first", Response: recoveryPage{},
		Query: httpserver.WithPaging(httpserver.Param{Name: "status", Type: "string", Enum: []string{string(RecoveryOutstanding), string(RecoverySettled)}},
			httpserver.Param{Name: "contract_id", Type: "string", Format: "uuid"})})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/recoveries/:id/settle", Handler: h.settleRecovery, Roles: commercial, Tag: tag, IfMatch: true,
		Summary: "Record that a recovery was settled (admins)", Request: settleRequest{}, Response: RecoveryResponse{}})
}
