package payments

import "github.com/crsplatform/crs/internal/httpserver"

// registerPaymentRoutes adds the entitlement, payment request and settlement routes.
func registerPaymentRoutes(r *httpserver.Router, h *Handler) {}
