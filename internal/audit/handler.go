package audit

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/httpserver"
)

// Handler serves the audit trail.
type Handler struct{ svc *Service }

// NewHandler returns the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

type eventPage struct {
	Items      []Event `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func (h *Handler) list(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	entityType, entityID := q.String("entity_type"), q.UUID("entity_id")
	if err := q.Err(); err != nil {
		return err
	}
	res, err := h.svc.List(httpserver.Ctx(c), httpserver.MustActor(c), entityType, entityID, pp)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, eventPage{Items: res.Items, NextCursor: res.NextCursor})
}
