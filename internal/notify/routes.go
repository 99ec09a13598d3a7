package notify

import (
	"net/http"

	"github.com/crsplatform/crs/internal/httpserver"
)

// Register adds the notification routes (every signed-in user, own notifications only).
func Register(r *httpserver.Router, h *Handler) {
	r.Add(httpserver.Route{Method: http.MethodGet, Path: "/notifications", Handler: h.list, Tag: "notifications",
		Summary: "Your notifications, newest first, with the unread count", Response: notificationPage{},
		Query: httpserver.WithPaging(httpserver.Param{Name: "unread", Type: "boolean", Description: "only unread ones"})})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/notifications/:id/read", Handler: h.markRead, Tag: "notifications",
		Summary: "Mark one of your notifications read", Response: Notification{}})
	r.Add(httpserver.Route{Method: http.MethodPost, Path: "/notifications/read-all", Handler: h.markAllRead, Tag: "notifications",
		Summary: "Mark all your notifications read", Response: markedAll{}})
}
