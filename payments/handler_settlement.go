package payments

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/opt"
)

// RecoveryResponse is a recovery.
type RecoveryResponse struct {
	ID                  uuid.UUID      `json:"id"`
	ContractID          uuid.UUID      `json:"contract_id"`
	ContractReference   string         `json:"contract_reference"`
	Region              string         `json:"region"`
	Year                int            `json:"year"`
	AmountPence         int64          `json:"amount_pence"`
	Status              RecoveryStatus `json:"status"`
	RecordedAt          time.Time      `json:"recorded_at"`
	SettledAt           *time.Time     `json:"settled_at"`
	SettledBy           *uuid.UUID     `json:"settled_by"`
	SettlementReference *string        `json:"settlement_reference"`
	Version             int            `json:"version"`
}

func recoveryResponse(r Recovery) RecoveryResponse {
	return RecoveryResponse{ID: r.ID, ContractID: r.ContractID, ContractReference: r.ContractReference, Region: r.RegionCode, Year: r.YearNumber,
		AmountPence: int64(r.Amount), Status: r.Status, RecordedAt: r.RecordedAt, SettledAt: r.SettledAt, SettledBy: r.SettledBy,
		SettlementReference: opt.String(r.SettlementReference), Version: r.Version}
}

// SettlementResponse is an ended contract year's settlement.
type SettlementResponse struct {
	ContractID            uuid.UUID         `json:"contract_id"`
	ContractReference     string            `json:"contract_reference"`
	Region                string            `json:"region"`
	Year                  YearResponse      `json:"year"`
	AsOf                  calendar.Date     `json:"as_of"`
	CountedVolume         int               `json:"counted_volume"`
	PaymentBasisBand      int               `json:"payment_basis_band"`
	BindingBand           int               `json:"binding_band"`
	Rule                  string            `json:"rule"`
	OverCapReferrals      int               `json:"over_cap_referrals"`
	PricePence            int64             `json:"price_pence"`
	EntitlementsPaidPence int64             `json:"entitlements_paid_pence"`
	BalancePence          int64             `json:"balance_pence"`
	Outcome               Outcome           `json:"outcome"`
	BalancingRequests     []RequestResponse `json:"balancing_requests"`
	Recovery              *RecoveryResponse `json:"recovery"`
}

func (h *Handler) settlement(c echo.Context) error {
	return h.settlementWith(c, h.svc.Settlement)
}

func (h *Handler) recordSettlement(c echo.Context) error {
	return h.settlementWith(c, h.svc.RecordSettlement)
}

// settlementWith answers with the settlement that read (or record) returns for the path's contract
// and year.
func (h *Handler) settlementWith(c echo.Context, get func(context.Context, actor.Actor, uuid.UUID, int) (Settlement, error)) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	n, err := httpserver.PathInt(c, "n")
	if err != nil {
		return err
	}
	s, err := get(httpserver.Ctx(c), httpserver.MustActor(c), id, n)
	if err != nil {
		return err
	}
	b := s.Binding
	out := SettlementResponse{ContractID: s.Contract.ID, ContractReference: s.Contract.Reference, Region: s.Contract.Area.RegionCode,
		Year: YearResponse{Number: s.Year.Number, Start: s.Year.Start, End: s.Year.End, PartYear: s.Year.PartYear, Days: s.Year.Days},
		AsOf: s.AsOf, CountedVolume: s.Counted, PaymentBasisBand: s.BasisBand, BindingBand: b.Band, Rule: b.Rule, OverCapReferrals: b.OverCap,
		PricePence: int64(b.Price), EntitlementsPaidPence: int64(b.EntitlementsPaid), BalancePence: int64(b.Balance), Outcome: s.Outcome,
		BalancingRequests: make([]RequestResponse, len(s.BalancingRequests))}
	today := h.svc.Today()
	for i, r := range s.BalancingRequests {
		clock, _ := r.OverdueOn(today, h.svc.PaymentTermsDays())
		out.BalancingRequests[i] = h.requestResponse(r, clock)
	}
	if s.Recovery != nil {
		rec := recoveryResponse(*s.Recovery)
		out.Recovery = &rec
	}
	return c.JSON(http.StatusOK, out)
}

type recoveryPage struct {
	Items      []RecoveryResponse `json:"items"`
	NextCursor *string            `json:"next_cursor"`
}

func (h *Handler) recoveries(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	p := RecoveryParams{ContractID: q.UUID("contract_id"), Status: RecoveryStatus(strings.ToUpper(q.String("status"))), Page: pp}
	switch p.Status {
	case "", RecoveryOutstanding, RecoverySettled:
	default:
		q.Fail("status", "invalid_status", "status must be OUTSTANDING or SETTLED")
	}
	if err := q.Err(); err != nil {
		return err
	}
	res, err := h.svc.Recoveries(httpserver.Ctx(c), httpserver.MustActor(c), p)
	if err != nil {
		return err
	}
	out := recoveryPage{Items: make([]RecoveryResponse, len(res.Items)), NextCursor: res.NextCursor}
	for i, r := range res.Items {
		out.Items[i] = recoveryResponse(r)
	}
	return c.JSON(http.StatusOK, out)
}

type settleRequest struct {
	Reference string `json:"reference" maxLength:"100" doc:"The reference of the recovery: a credit note or the remittance of the money paid back."`
}

func (h *Handler) settleRecovery(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	var req settleRequest
	if err := bindOptional(c, &req); err != nil {
		return err
	}
	r, err := h.svc.SettleRecovery(httpserver.Ctx(c), httpserver.MustActor(c), id, httpserver.ExpectedVersion(c), req.Reference)
	if err != nil {
		return err
	}
	httpserver.SetETag(c, r.Version)
	return c.JSON(http.StatusOK, recoveryResponse(r))
}
