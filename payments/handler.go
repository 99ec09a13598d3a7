package payments

// Handler serves the volume, alert, reconciliation and payment endpoints.
type Handler struct{ svc *Service }

// NewHandler returns the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }
