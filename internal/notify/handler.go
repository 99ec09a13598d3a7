package notify

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/httpserver"
)

// Handler serves the signed-in user's notifications.
type Handler struct{ svc *Service }

// NewHandler returns the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

type notificationPage struct {
	Items       []Notification `json:"items"`
	NextCursor  *string        `json:"next_cursor"`
	UnreadCount int64          `json:"unread_count"`
}

type markedAll struct {
	Marked int64 `json:"marked"`
}

func (h *Handler) list(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	q := httpserver.NewQuery(c)
	unread := q.Bool("unread")
	if err := q.Err(); err != nil {
		return err
	}
	res, n, err := h.svc.List(httpserver.Ctx(c), httpserver.MustActor(c), unread != nil && *unread, pp)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, notificationPage{Items: res.Items, NextCursor: res.NextCursor, UnreadCount: n})
}

func (h *Handler) markRead(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	n, err := h.svc.MarkRead(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}

func (h *Handler) markAllRead(c echo.Context) error {
	n, err := h.svc.MarkAllRead(httpserver.Ctx(c), httpserver.MustActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, markedAll{Marked: n})
}
