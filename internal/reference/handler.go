package reference

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Handler serves the reference data.
type Handler struct{ data *Data }

// NewHandler returns the handler.
func NewHandler(d *Data) *Handler { return &Handler{data: d} }

type listOf[T any] struct {
	Items []T `json:"items"`
}

func cached(c echo.Context, v any) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.JSON(http.StatusOK, v)
}

func (h *Handler) regions(c echo.Context) error {
	return cached(c, listOf[Region]{Items: h.data.Regions})
}

func (h *Handler) pccAreas(c echo.Context) error {
	return cached(c, listOf[PCCArea]{Items: h.data.PCCAreas})
}

func (h *Handler) categories(c echo.Context) error {
	return cached(c, listOf[ServiceCategory]{Items: h.data.Categories})
}

func (h *Handler) contractTypes(c echo.Context) error {
	return cached(c, listOf[ContractType]{Items: h.data.ContractTypes})
}

func (h *Handler) withdrawalReasons(c echo.Context) error {
	return cached(c, listOf[WithdrawalReason]{Items: h.data.WithdrawalReasons})
}
