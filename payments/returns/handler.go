package returns

import (
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/opt"
)

// Handler serves the returns endpoints.
type Handler struct{ svc *Service }

// NewHandler returns the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// ReturnResponse is a return as the API shows it.
type ReturnResponse struct {
	ID          uuid.UUID  `json:"id"`
	Scope       Scope      `json:"scope"`
	Region      *string    `json:"region"`
	Period      string     `json:"period"`
	Status      Status     `json:"status"`
	Stuck       bool       `json:"stuck" doc:"true when a running build has passed its time limit (its worker stopped); POST .../retry starts it again"`
	Failure     *string    `json:"failure"`
	FileName    *string    `json:"file_name"`
	FileSize    *int64     `json:"file_size"`
	FileSHA256  *string    `json:"file_sha256"`
	DownloadURL *string    `json:"download_url"`
	RequestedBy *uuid.UUID `json:"requested_by"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at"`
}

func response(r Return) ReturnResponse {
	out := ReturnResponse{ID: r.ID, Scope: r.Scope, Region: opt.NonZero(r.Region), Period: r.Period.String(), Status: r.Status, Stuck: r.Stuck, Failure: opt.NonZero(r.Failure),
		RequestedBy: r.RequestedBy, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
	if r.Status == StatusReady {
		out.FileName, out.FileSize, out.FileSHA256 = opt.NonZero(r.FileName), opt.NonZero(r.FileSize), opt.NonZero(r.FileSHA256)
		out.DownloadURL = opt.NonZero(fmt.Sprintf("%s/returns/%s/download", httpserver.APIPrefix, r.ID))
	}
	return out
}

type requestBody struct {
	Scope  string `json:"scope" enum:"national,region" doc:"national (every region, commissioners with national scope and admins) or region (one region, needs region)."`
	Region string `json:"region,omitempty" maxLength:"50" doc:"The region code of a region return, A to L."`
	Period string `json:"period" maxLength:"7" doc:"The month the return covers, YYYY-MM." example:"2026-02"`
}

func (h *Handler) request(c echo.Context) error {
	var req requestBody
	if err := httpserver.BindJSON(c, &req); err != nil {
		return err
	}
	r, err := h.svc.Request(httpserver.Ctx(c), httpserver.MustActor(c), RequestParams(req))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("%s/returns/%s", httpserver.APIPrefix, r.ID))
	return c.JSON(http.StatusAccepted, response(r))
}

type returnPage struct {
	Items      []ReturnResponse `json:"items"`
	NextCursor *string          `json:"next_cursor"`
}

func (h *Handler) list(c echo.Context) error {
	pp, err := httpserver.PageParams(c)
	if err != nil {
		return err
	}
	res, err := h.svc.List(httpserver.Ctx(c), httpserver.MustActor(c), pp)
	if err != nil {
		return err
	}
	out := returnPage{Items: make([]ReturnResponse, len(res.Items)), NextCursor: res.NextCursor}
	for i, r := range res.Items {
		out.Items[i] = response(r)
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) get(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	r, err := h.svc.Get(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, response(r))
}

func (h *Handler) retry(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	r, err := h.svc.Retry(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, response(r))
}

// xlsxType is the media type of an Excel workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (h *Handler) download(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	name, b, err := h.svc.Download(httpserver.Ctx(c), httpserver.MustActor(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, xlsxType, b)
}
