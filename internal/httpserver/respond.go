package httpserver

import (
	"context"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/page"
)

// The helpers below are the shapes every domain's handlers share: read one resource by its :id,
// answer a page of a list. Each takes the service method as it is (context and actor first), so a
// handler states only what differs: which method, which view.

// Read answers a read of the resource named by the :id path parameter: it parses the id (404 when
// malformed), calls read with the request's context and actor and answers 200 with view's JSON.
// version, when not nil, gives the ETag.
func Read[T, R any](c echo.Context, read func(context.Context, actor.Actor, uuid.UUID) (T, error), view func(T) R, version func(T) int) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := read(Ctx(c), MustActor(c), id)
	if err != nil {
		return err
	}
	if version != nil {
		SetETag(c, version(v))
	}
	return c.JSON(http.StatusOK, view(v))
}

// List answers 200 with one page of a list: it calls list with the request's context, actor and
// params and converts each item with view.
func List[P, T, R any](c echo.Context, params P, list func(context.Context, actor.Actor, P) (page.Page[T], error), view func(T) R) error {
	res, err := list(Ctx(c), MustActor(c), params)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page.Map(res, view))
}
